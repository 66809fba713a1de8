/**
 * How kustomize-controller reads a resource back after envsubst (fluxcd/pkg kustomize/kustomize_varsub.go
 * varSubstitution + SubstituteVariables): `sigs.k8s.io/yaml.YAMLToJSON` (v1.6.0: goyaml.v2 `Unmarshal` into
 * interface{}, keys converted to strings, `json.Marshal`), then kustomize's `RNode.UnmarshalJSON`
 * (kyaml/yaml/rnode.go: `json.Unmarshal` into map[string]interface{}, so every number becomes a float64).
 *
 * YAML 1.1 as goyaml.v2 resolves plain scalars (resolve.go): `yes`/`on`/`y` are booleans, `0777` is octal,
 * `1_000` and `0x1F` are ints, `1e3` is a float, timestamps stay strings, base-60 is not special. Quoted and
 * block scalars are strings. Only the first document counts. The `yaml` package does the parsing; its error
 * texts are not libyaml's, so messages for broken YAML are approximate (the failure itself is not).
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node, parseAllDocuments } from "yaml";
import { fastCompose } from "../core/yaml/fast-compose.ts";
import { Kind, type YNode } from "../core/yaml/node.ts";
import { newMap, type Value, type ValueMap } from "../core/yaml/value.ts";

export type YamlToJsonResult = { ok: true; value: ValueMap } | { ok: false; error: string; line?: number };

/** Reads substituted resource text as Flux does; the error texts follow Flux's "YAMLToJSON: ..." chain. */
export function yamlToJson(text: string, opts: { fast?: boolean } = {}): YamlToJsonResult {
  const bad = libyamlReaderProblem(text);
  if (bad) return { ok: false, error: `YAMLToJSON: yaml: ${bad}` };
  const fast = opts.fast === false ? undefined : fastYamlToJson(text);
  if (fast !== undefined) return fast;
  // libyaml breaks lines at CR and NEL too; inside scalars they fold like LF.
  const src = /[\r\u0085]/.test(text) ? text.replace(/\r\n?|\u0085/g, "\n") : text;
  const docs = parseAllDocuments(src, {
    version: "1.1",
    schema: "failsafe",
    uniqueKeys: false,
    merge: false,
  });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (doc === undefined) return { ok: true, value: newMap() };
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line;
    const msg = libyamlMessage(err.code, err.message);
    return {
      ok: false,
      error: `YAMLToJSON: yaml: ${line ? `line ${line}: ` : ""}${msg}`,
      ...(line ? { line } : {}),
    };
  }
  let v: Value;
  try {
    v = new Decoder(doc).node(doc.contents, 0);
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, error: `YAMLToJSON: ${e.message}` };
    if (e instanceof RangeError) return { ok: false, error: "YAMLToJSON: yaml: document nests too deeply" };
    throw e;
  }
  return finish(v);
}

/** JSON's refusals and RNode.UnmarshalJSON's map[string]interface{} target. */
function finish(v: Value): YamlToJsonResult {
  const nonFinite = findNonFinite(v);
  if (nonFinite) return { ok: false, error: `YAMLToJSON: json: unsupported value: ${nonFinite}` };
  // RNode.UnmarshalJSON decodes into map[string]interface{}: JSON null gives an empty object.
  if (v === null) return { ok: true, value: newMap() };
  if (typeof v !== "object" || Array.isArray(v)) {
    const t = Array.isArray(v)
      ? "array"
      : typeof v === "string"
        ? "string"
        : typeof v === "boolean"
          ? "bool"
          : "number";
    return {
      ok: false,
      error: `UnmarshalJSON: json: cannot unmarshal ${t} into Go value of type map[string]interface {}`,
    };
  }
  return { ok: true, value: v };
}

/**
 * The common case without the `yaml` package's Document: the fast composer's nodes decoded as goyaml.v2 does.
 * Undefined when the text needs the general path (anything the composer gives up on, aliases, merge keys).
 */
function fastYamlToJson(text: string): YamlToJsonResult | undefined {
  const roots = fastCompose(text);
  if (roots === undefined) return undefined;
  const root = roots[0];
  if (root === undefined) return { ok: true, value: newMap() };
  let v: Value;
  try {
    v = fastNode(root);
  } catch (e) {
    if (e === NEEDS_GENERAL_PATH) return undefined;
    if (e instanceof DecodeError) return { ok: false, error: `YAMLToJSON: ${e.message}` };
    throw e;
  }
  return finish(v);
}

const NEEDS_GENERAL_PATH = new Error("general path");

function fastNode(n: YNode): Value {
  switch (n.kind) {
    case Kind.Scalar:
      return n.plain ? resolvePlain(n.text) : n.text;
    case Kind.Seq:
      return n.items.map(fastNode);
    case Kind.Map: {
      const out = newMap();
      for (const { key, value } of n.pairs) {
        if (key.kind !== Kind.Scalar || (key.plain && key.text === "<<")) throw NEEDS_GENERAL_PATH;
        const v = value === null ? null : fastNode(value);
        out[jsonKey(key.plain ? resolveTagged(key.text) : { value: key.text }, v)] = v;
      }
      return out;
    }
    default:
      throw NEEDS_GENERAL_PATH;
  }
}

class DecodeError extends Error {}

const MAX_NODES = 10_000_000;

class Decoder {
  private count = 0;
  private readonly resolving = new Set<Node>();

  constructor(private readonly doc: Document) {}

  node(n: unknown, depth: number): Value {
    if (++this.count > MAX_NODES) throw new DecodeError("yaml: document contains excessive aliasing");
    if (depth > 2000) throw new RangeError("depth");
    if (n === null || n === undefined) return null;
    if (isAlias(n)) {
      const target = n.resolve(this.doc);
      if (!target) throw new DecodeError(`yaml: unknown anchor '${n.source}' referenced`);
      if (this.resolving.has(target))
        throw new DecodeError(`yaml: anchor '${n.source}' value contains itself`);
      this.resolving.add(target);
      try {
        return this.node(target, depth + 1);
      } finally {
        this.resolving.delete(target);
      }
    }
    if (isScalar(n)) return this.scalar(n.value, n.type, n.tag);
    if (isSeq(n)) return n.items.map((x) => this.node(x, depth + 1));
    if (isMap(n)) {
      const out = newMap();
      this.mapInto(n.items, out, depth);
      return out;
    }
    return null;
  }

  /** A key keeps goyaml.v2's int/float distinction, which decides how it is turned into text. */
  private key(n: unknown, depth: number): { tag?: string; value: Value } {
    const target = isAlias(n) ? n.resolve(this.doc) : n;
    if (isScalar(target) && target.type === "PLAIN" && !target.tag) {
      return resolveTagged(typeof target.value === "string" ? target.value : "");
    }
    return { value: this.node(n, depth) };
  }

  private scalar(raw: unknown, type: string | undefined, tag: string | undefined): Value {
    const s = typeof raw === "string" ? raw : raw === null || raw === undefined ? "" : String(raw);
    const plain = type === "PLAIN";
    if (!tag || tag === "!") {
      // goyaml.v2 gives quoted/block scalars the !!str tag; `!` is a non-specific tag that is not resolvable.
      return plain && !tag ? resolvePlain(s) : s;
    }
    const short = tag.startsWith(LONG) ? `!!${tag.slice(LONG.length)}` : tag;
    switch (short) {
      case "!!str":
        return s;
      case "!!binary": {
        const clean = s.replace(/\s+/g, "");
        if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) {
          throw new DecodeError("yaml: unmarshal errors:\n  !!binary value contains invalid base64 data");
        }
        return Buffer.from(clean, "base64").toString("utf8");
      }
      case "!!bool":
      case "!!int":
      case "!!float":
      case "!!null":
      case "!!timestamp": {
        const { tag: got, value } = resolveTagged(s);
        if (got === short || (short === "!!float" && got === "!!int")) return value;
        throw new DecodeError(`yaml: cannot decode ${got} \`${s}\` as a ${short}`);
      }
      default:
        return s; // tags goyaml.v2 cannot resolve leave the text as a string
    }
  }

  /** goyaml.v2 decoder.mapping into map[interface{}]interface{}; merge keys write into the same map. */
  private mapInto(items: readonly unknown[], out: ValueMap, depth: number): void {
    for (const item of items) {
      if (!isPair(item)) continue;
      const k = item.key;
      if (isScalar(k) && k.value === "<<" && ((k.type === "PLAIN" && !k.tag) || k.tag === `${LONG}merge`)) {
        this.merge(item.value, out, depth);
        continue;
      }
      const key = this.key(k, depth + 1);
      const value = this.node(item.value, depth + 1);
      out[jsonKey(key, value)] = value;
    }
  }

  private merge(n: unknown, out: ValueMap, depth: number): void {
    const target = isAlias(n) ? n.resolve(this.doc) : n;
    if (isAlias(n) && !target) throw new DecodeError(`yaml: unknown anchor '${n.source}' referenced`);
    if (isMap(target)) {
      this.mapInto(target.items, out, depth + 1);
      return;
    }
    if (isSeq(target) && !isAlias(n)) {
      // Earlier entries take precedence, so they are written last.
      for (let i = target.items.length - 1; i >= 0; i--) {
        const it = target.items[i];
        const m = isAlias(it) ? it.resolve(this.doc) : it;
        if (!isMap(m)) throw new DecodeError("yaml: map merge requires map or sequence of maps as the value");
        this.mapInto(m.items, out, depth + 1);
      }
      return;
    }
    throw new DecodeError("yaml: map merge requires map or sequence of maps as the value");
  }
}

const LONG = "tag:yaml.org,2002:";

/** sigs.k8s.io/yaml convertToJSONableObject: non-string keys become text, null and collections fail. */
function jsonKey(key: { tag?: string; value: Value }, v: Value): string {
  const k = key.value;
  if (typeof k === "string") return k;
  if (typeof k === "boolean") return k ? "true" : "false";
  if (typeof k === "number") {
    if (key.tag === "!!int") {
      if (k >= 2 ** 63)
        throw new DecodeError(
          `unsupported map key of type: uint64, key: 0x${BigInt(k).toString(16)}, value: ${goValue(v)}`,
        );
      return BigInt(k).toString();
    }
    return formatFloat32G(k);
  }
  if (k === null) {
    throw new DecodeError(`unsupported map key of type: %!s(<nil>), key: <nil>, value: ${goValue(v)}`);
  }
  throw new DecodeError(`yaml: invalid map key: ${goValue(k)}`);
}

function goValue(v: Value): string {
  if (v === null) return "<nil>";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object") return "map[interface {}]interface {}{...}";
  return String(v);
}

/** strconv.FormatFloat(float64(f), 'g', -1, 32): shortest digits that read back as the same float32. */
function formatFloat32G(f: number): string {
  if (Number.isNaN(f)) return ".nan";
  const f32 = Math.fround(f);
  if (f32 === Infinity) return ".inf";
  if (f32 === -Infinity) return "-.inf";
  if (f32 === 0) return Object.is(f32, -0) ? "-0" : "0";
  let digits = "";
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const e = f32.toExponential(p - 1);
    if (Math.fround(Number(e)) === f32) {
      const [m, x] = e.split("e") as [string, string];
      digits = m.replace("-", "").replace(".", "");
      exp = Number(x);
      break;
    }
  }
  digits = digits.replace(/0+$/, "") || "0";
  const neg = f32 < 0 ? "-" : "";
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${neg}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ""}e${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${neg}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${neg}${digits}${"0".repeat(exp + 1 - digits.length)}`;
  return `${neg}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

// ---------------------------------------------------------------------------------------------------------
// goyaml.v2 resolve() for untagged plain scalars, then JSON's float64 for every number.

const TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]);
const FALSE = new Set(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]);
const NULL = new Set(["", "~", "null", "Null", "NULL"]);
const SPECIAL_FLOAT: Record<string, number> = {
  ".nan": Number.NaN,
  ".NaN": Number.NaN,
  ".NAN": Number.NaN,
  ".inf": Infinity,
  ".Inf": Infinity,
  ".INF": Infinity,
  "+.inf": Infinity,
  "+.Inf": Infinity,
  "+.INF": Infinity,
  "-.inf": -Infinity,
  "-.Inf": -Infinity,
  "-.INF": -Infinity,
};
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** The value goyaml.v2 gives an untagged plain scalar, with numbers as the float64 JSON makes of them. */
export function resolvePlain(s: string): Value {
  return resolveTagged(s).value;
}

type Resolved = { tag: "!!bool" | "!!null" | "!!int" | "!!float" | "!!str"; value: Value };

/** goyaml.v2 resolve() for an untagged plain scalar: the tag it reports and the value. */
function resolveTagged(s: string): Resolved {
  if (TRUE.has(s)) return { tag: "!!bool", value: true };
  if (FALSE.has(s)) return { tag: "!!bool", value: false };
  if (NULL.has(s)) return { tag: "!!null", value: null };
  const special = SPECIAL_FLOAT[s];
  if (special !== undefined) return { tag: "!!float", value: special };
  const str: Resolved = { tag: "!!str", value: s };
  const c = s.charCodeAt(0);
  if (c === 0x2e) {
    const f = goParseFloat(s);
    return f === undefined ? str : { tag: "!!float", value: f };
  }
  if (c === 0x2b || c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    if (isGoYamlTimestamp(s)) return str; // decoded into interface{} as the original string
    const plain = s.replaceAll("_", "");
    const i = goParseInt(plain);
    if (i !== undefined) return { tag: "!!int", value: Number(i) };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = goParseFloat(plain);
      if (f !== undefined) return { tag: "!!float", value: f };
    }
    // "0b…" beyond int64 range is still an unsigned int.
    if (/^0b[01]+$/.test(plain) && BigInt(plain) < 2n ** 64n)
      return { tag: "!!int", value: Number(BigInt(plain)) };
  }
  return str;
}

/** strconv.ParseInt(s, 0, 64), falling back to ParseUint: base prefixes 0x/0o/0b and a leading 0 for octal. */
function goParseInt(s: string): bigint | undefined {
  const m = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(s);
  if (!m) return undefined;
  const [, sign, hex, oct, bin, oct0, dec] = m;
  let n: bigint;
  if (hex !== undefined) n = BigInt(`0x${hex}`);
  else if (oct !== undefined) n = BigInt(`0o${oct}`);
  else if (bin !== undefined) n = BigInt(`0b${bin}`);
  else if (oct0 !== undefined) n = oct0.length > 1 ? BigInt(`0o${oct0.slice(1)}`) : 0n;
  else n = BigInt(dec!);
  if (sign === "-") n = -n;
  if (n >= -(2n ** 63n) && n < 2n ** 63n) return n;
  if (sign === "" && n < 2n ** 64n) return n; // ParseUint takes no sign
  return undefined;
}

/** strconv.ParseFloat(s, 64) for the decimal forms YAML can reach here; out of range is an error in Go. */
function goParseFloat(s: string): number | undefined {
  if (
    !/^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9]+)?$/.test(
      s,
    )
  ) {
    return undefined;
  }
  const f = Number(s.replaceAll("_", ""));
  return Number.isFinite(f) ? f : undefined;
}

/** goyaml.v2 parseTimestamp: YYYY-M-D with an optional time in the formats it tries. */
function isGoYamlTimestamp(s: string): boolean {
  if (!/^[0-9]{4}-/.test(s)) return false;
  return (
    /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$/.test(s) ||
    /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]| )[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?$/.test(
      s,
    )
  );
}

function findNonFinite(v: Value): string | undefined {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (v === Infinity) return "+Inf";
    if (v === -Infinity) return "-Inf";
    return undefined;
  }
  if (Array.isArray(v)) {
    for (const x of v) {
      const r = findNonFinite(x);
      if (r) return r;
    }
  } else if (v !== null && typeof v === "object") {
    for (const k of Object.keys(v).sort()) {
      const r = findNonFinite((v as ValueMap)[k] as Value);
      if (r) return r;
    }
  }
  return undefined;
}

/** Characters libyaml's reader refuses before parsing (reaserc.go yaml_parser_update_buffer). */
function libyamlReaderProblem(text: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what libyaml rejects
  const m = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]/u.exec(text);
  if (!m) return undefined;
  const c = m[0].charCodeAt(0);
  if (c >= 0xd800 && c <= 0xdfff) return "invalid Unicode character";
  return "control characters are not allowed";
}

/** The libyaml wording for the parse errors substituted values typically cause. */
function libyamlMessage(code: string, message: string): string {
  switch (code) {
    case "BLOCK_AS_IMPLICIT_KEY":
      return "mapping values are not allowed in this context";
    case "BAD_SCALAR_START":
      return "found character that cannot start any token";
    case "UNEXPECTED_TOKEN":
      if (message.includes("block-seq-ind")) return "block sequence entries are not allowed in this context";
      return "did not find expected key";
    case "MISSING_CHAR":
      if (/quote/i.test(message)) return "found unexpected end of stream";
      return "did not find expected key";
    default:
      return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, "");
  }
}
