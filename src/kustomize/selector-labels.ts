/**
 * Kubernetes label-selector strings (`a=b,c in (x,y),!d`) as kustomize parses them for `labelSelector` and
 * `annotationSelector` (kyaml's fork of apimachinery `labels.Parse`). Error texts are Go's, so a user who searches
 * for them finds the same answers.
 */

export type LabelOperator = "in" | "notin" | "=" | "==" | "!=" | "exists" | "!" | ">" | "<";

export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  /** Sorted and de-duplicated, as Go's sets.String.List() gives them. */
  values: string[];
}

export type LabelSelectorResult =
  | { ok: true; requirements: LabelRequirement[] }
  | { ok: false; error: string };

type Tok = "error" | "eos" | ")" | "," | "!" | "==" | "=" | ">" | "in" | "<" | "!=" | "notin" | "(" | "id";

interface Item {
  tok: Tok;
  lit: string;
}

const KEYWORDS: Record<string, Tok> = {
  ")": ")",
  ",": ",",
  "!": "!",
  "==": "==",
  "=": "=",
  ">": ">",
  in: "in",
  "<": "<",
  "!=": "!=",
  notin: "notin",
  "(": "(",
};

const isWhitespace = (c: string): boolean => c === " " || c === "\t" || c === "\r" || c === "\n";
const isSpecial = (c: string): boolean => "=!(),><".includes(c);

/** Go's byte-wise lexer; a multi-byte character is never special, so working on UTF-16 units is equivalent. */
function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos] as string)) pos++;
    if (pos >= s.length) {
      items.push({ tok: "eos", lit: "" });
      return items;
    }
    const c = s[pos] as string;
    if (isSpecial(c)) {
      let buf = "";
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos] as string)) {
        buf += s[pos];
        pos++;
        const t = KEYWORDS[buf];
        if (t !== undefined) last = { tok: t, lit: buf };
        else if (last) {
          pos--;
          break;
        }
      }
      items.push(last ?? { tok: "error", lit: `error expected: keyword found '${buf}'` });
    } else {
      let buf = "";
      while (pos < s.length && !isSpecial(s[pos] as string) && !isWhitespace(s[pos] as string)) {
        buf += s[pos];
        pos++;
      }
      items.push({ tok: KEYWORDS[buf] ?? "id", lit: buf });
    }
  }
}

class ParseError extends Error {}

/** labels.Parse: an empty string selects everything. */
export function parseLabelSelector(selector: string): LabelSelectorResult {
  try {
    const reqs = new Parser(lex(selector)).parse();
    reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { ok: true, requirements: reqs };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.message };
    throw e;
  }
}

export function labelSelectorMatches(
  reqs: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return reqs.every((r) => requirementMatches(r, labels));
}

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case "in":
    case "=":
    case "==":
      return has && r.values.includes(v as string);
    case "notin":
    case "!=":
      return !has || !r.values.includes(v as string);
    case "exists":
      return has;
    case "!":
      return !has;
    case ">":
    case "<": {
      if (!has) return false;
      const lv = parseGoInt64(v as string);
      const rv = parseGoInt64(r.values[0] ?? "");
      if (lv === undefined || rv === undefined) return false;
      return r.op === ">" ? lv > rv : lv < rv;
    }
  }
}

function parseGoInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In value context `in`/`notin` are plain identifiers. */
  private look(values: boolean): Item {
    const it = this.items[this.pos] as Item;
    return values && (it.tok === "in" || it.tok === "notin") ? { tok: "id", lit: it.lit } : it;
  }

  private next(values: boolean): Item {
    const it = this.look(values);
    this.pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.look(true);
      if (tok === "id" || tok === "!") {
        let r: LabelRequirement;
        try {
          r = this.requirement();
        } catch (e) {
          if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
          throw e;
        }
        reqs.push(r);
        const t = this.next(true);
        if (t.tok === "eos") return reqs;
        if (t.tok === ",") {
          const t2 = this.look(true);
          if (t2.tok !== "id" && t2.tok !== "!")
            throw new ParseError(`found '${t2.lit}', expected: identifier after ','`);
        } else throw new ParseError(`found '${t.lit}', expected: ',' or 'end of string'`);
      } else if (tok === "eos") return reqs;
      else throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private requirement(): LabelRequirement {
    let op: LabelOperator | undefined;
    let t = this.next(true);
    if (t.tok === "!") {
      op = "!";
      t = this.next(true);
    }
    if (t.tok !== "id") throw new ParseError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    validateKey(key);
    // Go returns `!key` at once; anything after it then fails as "expected: ',' or 'end of string'".
    if (op === "!") return { key, op, values: [] };
    const after = this.look(true).tok;
    if (after === "eos" || after === ",") return { key, op: "exists", values: [] };
    const o = this.next(false);
    const ops: Partial<Record<Tok, LabelOperator>> = {
      in: "in",
      "=": "=",
      "==": "==",
      ">": ">",
      "<": "<",
      notin: "notin",
      "!=": "!=",
    };
    const parsed = ops[o.tok];
    if (parsed === undefined)
      throw new ParseError(`found '${o.lit}', expected: '=', '!=', '==', 'in', notin'`);
    const values = parsed === "in" || parsed === "notin" ? this.valueSet() : this.exactValue();
    const sorted = [...new Set(values)].sort();
    return newRequirement(key, parsed, sorted);
  }

  private valueSet(): string[] {
    const t = this.next(true);
    if (t.tok !== "(") throw new ParseError(`found '${t.lit}' expected: '('`);
    const { tok, lit } = this.look(true);
    if (tok === "id" || tok === ",") {
      const s = this.identifierList();
      if (this.next(true).tok !== ")") throw new ParseError(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === ")") {
      this.next(true);
      return [""];
    }
    throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private identifierList(): string[] {
    const s: string[] = [];
    for (;;) {
      const t = this.next(true);
      if (t.tok === "id") {
        s.push(t.lit);
        const t2 = this.look(true);
        if (t2.tok === ",") continue;
        if (t2.tok === ")") return s;
        throw new ParseError(`found '${t2.lit}', expected: ',' or ')'`);
      }
      if (t.tok === ",") {
        if (s.length === 0) s.push("");
        const t2 = this.look(true).tok;
        if (t2 === ")") {
          s.push("");
          return s;
        }
        if (t2 === ",") {
          this.next(true);
          s.push("");
        }
        continue;
      }
      throw new ParseError(`found '${t.lit}', expected: ',', or identifier`);
    }
  }

  private exactValue(): string[] {
    const t = this.look(true);
    if (t.tok === "eos" || t.tok === ",") return [""];
    const v = this.next(true);
    if (v.tok === "id") return [v.lit];
    throw new ParseError(`found '${v.lit}', expected: identifier`);
  }
}

function newRequirement(key: string, op: LabelOperator, values: string[]): LabelRequirement {
  validateKey(key);
  if (op === ">" || op === "<") {
    if (values.length !== 1) throw new ParseError("for 'Gt', 'Lt' operators, exactly one value is required");
    if (parseGoInt64(values[0] as string) === undefined)
      throw new ParseError("for 'Gt', 'Lt' operators, the value must be an integer");
  }
  for (const v of values) validateValue(key, v);
  return { key, op, values };
}

const QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QNAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1123_SUBDOMAIN_MSG =
  "a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** validation.RegexError, including its odd `', ` + ` or ` joining. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) out += " or ";
    out += `'${e}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

function isDns1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push("must be no more than 253 characters");
  if (!new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`).test(v))
    errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"));
  return errs;
}

function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split("/");
  let name: string;
  if (parts.length === 1) name = parts[0] as string;
  else if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else errs.push(...isDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QNAME_MSG, QNAME_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (byteLength(name) > 63) errs.push("name part must be no more than 63 characters");
  if (!new RegExp(`^${QNAME_FMT}$`).test(name))
    errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, "MyName", "my.name", "123-abc")}`);
  return errs;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

function validateKey(k: string): void {
  const errs = isQualifiedName(k);
  if (errs.length > 0) throw new ParseError(`invalid label key ${goQuote(k)}: ${errs.join("; ")}`);
}

function validateValue(k: string, v: string): void {
  const errs: string[] = [];
  if (byteLength(v) > 63) errs.push("must be no more than 63 characters");
  if (!new RegExp(`^${LABEL_VALUE_FMT}$`).test(v))
    errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  if (errs.length > 0)
    throw new ParseError(`invalid label value: ${goQuote(v)}: at key: ${goQuote(k)}: ${errs.join("; ")}`);
}

/** Go's %q for the printable strings selectors hold. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}
