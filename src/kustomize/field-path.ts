/**
 * The dotted field paths of `replacements` (`spec.template.spec.containers.[name=app].image`,
 * `metadata.annotations.[a.b/c]`, `spec.rules.*.host`, `spec.ports.0.port`) with kyaml's two walkers:
 * PathGetter for the source (exact `[k=v]`, `-` for the last element, no wildcard) and PathMatcher for targets
 * (`[k=v]` is an unanchored Go regexp, `*` fans out over a sequence, `create` adds what is missing).
 */
import { emitYaml } from "../core/yaml/emit.ts";
import { parseTimestamp } from "../core/yaml/load.ts";
import { isMap, newMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import { scalarText } from "./selector.ts";
import { compileGoRegexp } from "./selector-regexp.ts";

/** kyaml utils.PathSplitter: split on `delimiter`, `\` escapes it, a leading delimiter is dropped. */
export function pathSplitter(path: string, delimiter: string): string[] {
  let ps = path.split(delimiter);
  if (ps.length > 1 && ps[0] === "") ps = ps.slice(1);
  const res: string[] = [ps[0] as string];
  for (let i = 1; i < ps.length; i++) {
    const last = res.length - 1;
    const prev = res[last] as string;
    if (prev.endsWith("\\")) res[last] = `${prev.slice(0, -1)}${delimiter}${ps[i]}`;
    else res.push(ps[i] as string);
  }
  return res;
}

/**
 * kyaml SmarterPathSplitter: a bracketed part spanning delimiters is rejoined; it keeps its brackets when it holds
 * `=` (a list-element selector) and loses them otherwise (a map key with dots, e.g. `[a.b/c]`). A part that is
 * bracketed without holding a delimiter keeps its brackets either way.
 */
export function splitFieldPath(path: string, delimiter = "."): string[] {
  const split = pathSplitter(path, delimiter);
  const out: string[] = [];
  for (let i = 0; i < split.length; i++) {
    const elem = split[i] as string;
    if (elem.startsWith("[") && !elem.endsWith("]")) {
      const bracketed = [elem];
      while (i < split.length - 1) {
        i++;
        const next = split[i] as string;
        bracketed.push(next);
        if (next.endsWith("]")) break;
      }
      const joined = bracketed.join(delimiter);
      out.push(joined.includes("=") ? joined : trimBrackets(joined));
    } else out.push(elem);
  }
  return out;
}

/** Go strings.Trim(s, "[]"). */
function trimBrackets(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s[a] === "[" || s[a] === "]")) a++;
  while (b > a && (s[b - 1] === "[" || s[b - 1] === "]")) b--;
  return s.slice(a, b);
}

const isListIndex = (p: string): boolean => p.startsWith("[") && p.endsWith("]");

/** strconv.Atoi: optional sign, decimal digits, within int64. */
function goAtoi(p: string): number | undefined {
  if (!/^[+-]?\d+$/.test(p)) return undefined;
  const n = BigInt(p);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) return undefined;
  return Number(n);
}

function splitIndexNameValue(p: string): { name: string; value: string } | { error: string } {
  let elem = p.endsWith("]") ? p.slice(0, -1) : p;
  if (elem.startsWith("[")) elem = elem.slice(1);
  const i = elem.indexOf("=");
  if (i < 0) return { error: "list path element must contain fieldName=fieldValue for element to match" };
  return { name: elem.slice(0, i), value: elem.slice(i + 1) };
}

export type LookupResult = { ok: true; value: Value | undefined } | { ok: false; error: string };

/** kyaml PathGetter (yaml.Lookup) without create: the value at `parts`, `undefined` when missing. */
export function lookupField(root: Value, parts: readonly string[]): LookupResult {
  let cur: Value = root;
  const cleaned = parts.map((p) => p.trim()).filter((p) => p !== "");
  for (const part of cleaned) {
    const idx = goAtoi(part);
    let next: Value | undefined;
    if (idx !== undefined) {
      if (idx < 0) return { ok: false, error: `array index ${idx} cannot be negative` };
      const els = elements(cur);
      if (typeof els === "string") return { ok: false, error: els };
      next = els[idx];
    } else if (part === "-") {
      const els = elements(cur);
      if (typeof els === "string") return { ok: false, error: els };
      // kyaml indexes len-1 unguarded (a panic on an empty list); here it is simply missing.
      next = els[els.length - 1];
    } else if (part === "*") {
      return { ok: false, error: "wildcard is not supported in PathGetter" };
    } else if (isListIndex(part)) {
      const nv = splitIndexNameValue(part);
      if ("error" in nv) return { ok: false, error: nv.error };
      const els = elements(cur);
      if (typeof els === "string") return { ok: false, error: els };
      next = matchElement(els, nv.name, nv.value);
    } else {
      if (cur === null) return { ok: true, value: undefined };
      if (!isMap(cur)) return { ok: false, error: wrongKind("MappingNode", cur) };
      next = Object.hasOwn(cur, part) ? cur[part] : undefined;
    }
    if (next === undefined) return { ok: true, value: undefined };
    cur = next;
  }
  return { ok: true, value: cur };
}

/** ElementMatcher: the first element whose `name` field (or, for `[=v]`, whose own scalar text) equals `value`. */
function matchElement(els: readonly Value[], name: string, value: string): Value | undefined {
  if (name === "") return els.find((e) => nodeValueText(e) === value);
  for (const e of els) {
    if (!isMap(e) && e !== null) continue;
    if (e === null) continue;
    if (Object.hasOwn(e, name) && nodeValueText(e[name]) === value) return e;
  }
  return undefined;
}

/** yaml.Node.Value: scalar text; collections have none. */
function nodeValueText(v: Value | undefined): string {
  if (v === null) return "null";
  return scalarText(v);
}

/** RNode.Elements: a null node has none; anything else but a sequence is an error. */
function elements(v: Value): Value[] | string {
  if (v === null) return [];
  if (!Array.isArray(v)) return wrongKind("SequenceNode", v);
  return v;
}

function kindName(v: Value): string {
  return Array.isArray(v) ? "SequenceNode" : isMap(v) ? "MappingNode" : "ScalarNode";
}

/** InvalidNodeKindError's text, node contents included. */
function wrongKind(expected: string, v: Value): string {
  return `wrong node kind: expected ${expected} but got ${kindName(v)}: node contents:\n${emitYaml(v)}`;
}

export type NodeKind = "scalar" | "map" | "seq";

/** One matched field: where it is, and whether the walk created it (a created scalar has no YAML tag). */
export interface FieldRef {
  get(): Value;
  set(v: Value): void;
  created: boolean;
}

export type MatchResult = { ok: true; fields: FieldRef[] } | { ok: false; error: string };

class MatchError extends Error {}

/**
 * kyaml PathMatcher: every field `parts` reaches. With `create` set, missing map fields, a missing `[k=v]`
 * element and an index equal to the list length are added; the last part gets the `create` kind. Walking
 * `create` through a null value creates into nothing, as kyaml's append onto a null node is never printed.
 */
export function matchFields(root: ValueMap, parts: readonly string[], create?: NodeKind): MatchResult {
  try {
    const fields: FieldRef[] = [];
    if (parts.length > 0) walk(root, undefined, parts, 0, create, fields);
    return { ok: true, fields };
  } catch (e) {
    if (e instanceof MatchError) return { ok: false, error: e.message };
    throw e;
  }
}

function ref(holder: ValueMap | Value[], key: string | number, created: boolean): FieldRef {
  return {
    get: () => (holder as Record<string | number, Value>)[key] as Value,
    set: (v) => {
      (holder as Record<string | number, Value>)[key] = v;
    },
    created,
  };
}

function make(kind: NodeKind): Value {
  return kind === "map" ? newMap() : kind === "seq" ? [] : null;
}

/** getPathPartKind: what to create for a part given the one after it. */
function partKind(next: string | undefined, leaf: NodeKind): NodeKind {
  if (next === undefined) return leaf;
  if (isListIndex(next)) return "seq";
  const n = goAtoi(next);
  if (n !== undefined && n >= 0) return "seq";
  if (next === "") return leaf;
  return "map";
}

function walk(
  node: Value,
  at: FieldRef | undefined,
  parts: readonly string[],
  i: number,
  create: NodeKind | undefined,
  out: FieldRef[],
): void {
  if (i === parts.length) {
    if (at) out.push(at);
    return;
  }
  const part = parts[i] as string;
  const idx = goAtoi(part);
  if (idx !== undefined && idx >= 0) {
    indexSeq(node, idx, parts, i, create, out);
    return;
  }
  if (isListIndex(part)) {
    matchSeq(node, part, parts, i, create, out);
    return;
  }
  if (part === "*") {
    if (node === null) return;
    if (!Array.isArray(node)) throw new MatchError(wrongKind("SequenceNode", node));
    node.forEach((el, k) => {
      walk(el, ref(node, k, false), parts, i + 1, create, out);
    });
    return;
  }
  // A map field.
  let holder: ValueMap;
  if (node === null) {
    if (!create) return;
    holder = newMap();
  } else if (!isMap(node)) throw new MatchError(wrongKind("MappingNode", node));
  else holder = node;
  if (Object.hasOwn(holder, part)) {
    walk(holder[part] as Value, ref(holder, part, false), parts, i + 1, create, out);
    return;
  }
  if (!create) return;
  const child = make(partKind(parts[i + 1], create));
  holder[part] = child;
  walk(child, ref(holder, part, true), parts, i + 1, create, out);
}

function indexSeq(
  node: Value,
  idx: number,
  parts: readonly string[],
  i: number,
  create: NodeKind | undefined,
  out: FieldRef[],
): void {
  let seq: Value[];
  if (node === null) seq = [];
  else if (!Array.isArray(node)) throw new MatchError(wrongKind("SequenceNode", node));
  else seq = node;
  let created = false;
  if (seq.length === idx && create) {
    seq.push(make(partKind(parts[i + 1], create)));
    created = true;
  }
  if (seq.length < idx + 1)
    throw new MatchError(`index ${idx} specified but only ${seq.length} elements found`);
  walk(seq[idx] as Value, ref(seq, idx, created), parts, i + 1, create, out);
}

function matchSeq(
  node: Value,
  part: string,
  parts: readonly string[],
  i: number,
  create: NodeKind | undefined,
  out: FieldRef[],
): void {
  const nv = splitIndexNameValue(part);
  if ("error" in nv) throw new MatchError(nv.error);
  let seq: Value[];
  if (node === null) seq = [];
  else if (!Array.isArray(node)) throw new MatchError(wrongKind("SequenceNode", node));
  else seq = node;
  const re = compileGoRegexp(nv.value);
  if (!re.ok) throw new MatchError(re.error);
  const before = out.length;
  const primitive = nv.name === "";
  seq.forEach((el, k) => {
    if (primitive) {
      // kyaml returns a matching scalar element itself and ignores any rest of the path.
      if (re.re.test(nodeString(el))) out.push(ref(seq, k, false));
      return;
    }
    if (!isMap(el) || !Object.hasOwn(el, nv.name)) return;
    if (!re.re.test(nodeString(el[nv.name] as Value))) return;
    walk(el, ref(seq, k, false), parts, i + 1, create, out);
  });
  if (out.length > before || !create) return;
  // Append the element and match again; kyaml recurses without end when the pattern does not match its own
  // text (e.g. `[name=^a$]`), which here just finds nothing.
  if (!re.re.test(nv.value)) return;
  const value = resolvePlain(nv.value).value;
  if (primitive) {
    seq.push(value);
    out.push(ref(seq, seq.length - 1, true));
    return;
  }
  const el = newMap();
  el[nv.name] = value;
  seq.push(el);
  walk(el, ref(seq, seq.length - 1, true), parts, i + 1, create, out);
}

/** RNode.String() trimmed, as kyaml compares list elements: scalars as their text, collections as YAML. */
function nodeString(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "string") return v;
  if (Array.isArray(v) || isMap(v)) return emitYaml(v).trim();
  return scalarText(v);
}

export type ScalarTag = "!!str" | "!!int" | "!!float" | "!!bool" | "!!null";

/** yaml.v3 resolve("", text) for a plain (untagged) scalar, giving the decoded value. */
export function resolvePlain(s: string): { tag: ScalarTag; value: Value } {
  const special = SPECIAL.get(s);
  if (special) return special;
  const c = s[0] ?? "";
  if (c === ".") {
    if (/^\.[0-9_]*([eE][+-]?[0-9][0-9_]*)?$/.test(s) && /\d/.test(s)) {
      const f = Number(s.replaceAll("_", ""));
      if (Number.isFinite(f)) return { tag: "!!float", value: f };
    }
    return { tag: "!!str", value: s };
  }
  if (!(c === "+" || c === "-" || (c >= "0" && c <= "9"))) return { tag: "!!str", value: s };
  const ts = parseTimestamp(s);
  if (ts !== undefined) return { tag: "!!str", value: ts };
  const plain = s.replaceAll("_", "");
  const n = parseGoIntBase0(plain);
  if (n !== undefined) {
    if (n >= -(2n ** 63n) && n <= 2n ** 64n - 1n && !(n >= 2n ** 63n && /^[+-]/.test(plain)))
      return {
        tag: "!!int",
        value: n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n,
      };
  }
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return { tag: "!!float", value: f };
  }
  return { tag: "!!str", value: s };
}

const SPECIAL = new Map<string, { tag: ScalarTag; value: Value }>();
for (const k of ["", "~", "null", "Null", "NULL"]) SPECIAL.set(k, { tag: "!!null", value: null });
for (const k of ["true", "True", "TRUE"]) SPECIAL.set(k, { tag: "!!bool", value: true });
for (const k of ["false", "False", "FALSE"]) SPECIAL.set(k, { tag: "!!bool", value: false });
for (const k of [".nan", ".NaN", ".NAN"]) SPECIAL.set(k, { tag: "!!float", value: Number.NaN });
for (const k of [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"])
  SPECIAL.set(k, { tag: "!!float", value: Number.POSITIVE_INFINITY });
for (const k of ["-.inf", "-.Inf", "-.INF"])
  SPECIAL.set(k, { tag: "!!float", value: Number.NEGATIVE_INFINITY });

/** strconv.ParseInt(s, 0, 64)'s syntax (range checked by the caller): 0x, 0o, 0b, leading-0 octal, decimal. */
function parseGoIntBase0(s: string): bigint | undefined {
  const m = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/.exec(s);
  if (!m) return undefined;
  const neg = m[1] === "-";
  let v: bigint;
  if (m[2] !== undefined) v = BigInt(`0x${m[2]}`);
  else if (m[3] !== undefined) v = BigInt(`0o${m[3]}`);
  else if (m[4] !== undefined) v = BigInt(`0b${m[4]}`);
  else if (m[5] !== undefined) v = m[5] === "" ? 0n : BigInt(`0o${m[5]}`);
  else v = BigInt(m[6] as string);
  return neg ? -v : v;
}
