import { createHash } from "node:crypto";
import { goJsonMarshal } from "../../core/yaml/go-json.ts";
import { isMap, newMap, type Value, type ValueMap } from "../../core/yaml/value.ts";

/**
 * kustomize's content hash for a generated ConfigMap or Secret (api/hasher): Go json.Marshal of a small
 * summary object, sha256, first 10 hex digits with the look-alike substitution kubectl has always used.
 * Despite appearances the object's name does not take part (see hashInput).
 * Returns undefined for other kinds: kustomize would marshal its internal yaml.Node struct there, which no
 * builtin generator ever produces.
 */
export function kustomizeHash(obj: ValueMap): string | undefined {
  const encoded = hashInput(obj);
  return encoded === undefined ? undefined : encodeHex(sha256Hex(encoded));
}

/** The exact JSON text kustomize hashes; exported so tests can pin it. */
export function hashInput(obj: ValueMap): string | undefined {
  const kind = obj.kind;
  // kustomize looks up "metadata/name" as ONE field name (yaml.Lookup does not split on `/`), so the
  // name is always "" in practice: equal content gives equal hashes whatever the name or namespace.
  const name = field(obj, ["metadata/name"]);
  if (kind === "ConfigMap") {
    const m = newMap();
    m.kind = "ConfigMap";
    m.name = name;
    m.data = field(obj, ["data"]);
    // binaryData only when it is a map (or any non-scalar), to keep old hashes stable.
    const bin = field(obj, ["binaryData"]);
    if (typeof bin !== "string") m.binaryData = bin;
    return goJsonMarshal(m);
  }
  if (kind === "Secret") {
    const m = newMap();
    m.kind = "Secret";
    m.type = field(obj, ["type"]);
    m.name = name;
    m.data = field(obj, ["data"]);
    const sd = field(obj, ["stringData"]);
    if (typeof sd !== "string") m.stringData = sd;
    return goJsonMarshal(m);
  }
  return undefined;
}

/**
 * hasher.getNodeValues: a missing field is "", a scalar is its text, a map is re-read through JSON into a
 * Go map (so it marshals with sorted keys), anything else fails that unmarshal and becomes a nil map (null).
 */
function field(obj: ValueMap, path: readonly string[]): Value {
  let cur: Value | undefined = obj;
  for (const seg of path) {
    if (!isMap(cur) || !Object.hasOwn(cur, seg)) return "";
    cur = cur[seg];
  }
  if (cur === undefined) return "";
  if (isMap(cur)) return viaFloat64(cur) as ValueMap;
  if (Array.isArray(cur)) return null;
  return scalarText(cur);
}

/** A json.Unmarshal into interface{} turns every number into float64: big integers lose precision. */
function viaFloat64(v: Value): Value {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(viaFloat64);
  if (isMap(v)) {
    const m = newMap();
    for (const k of Object.keys(v)) m[k] = viaFloat64(v[k] as Value);
    return m;
  }
  return v;
}

/** The text of a YAML scalar as yaml.v3 keeps it in Node.Value (best effort: the model lost the source). */
function scalarText(v: Value): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  return String(v);
}

function sha256Hex(s: string): string {
  return createHash("sha256").update(s, "utf8").digest("hex");
}

const SUBST: Record<string, string> = { "0": "g", "1": "h", "3": "k", a: "m", e: "t" };

/** hasher.encode: first 10 hex digits, with characters that could spell words or confuse readers swapped. */
export function encodeHex(hex: string): string {
  let out = "";
  for (const c of hex.slice(0, 10)) out += SUBST[c] ?? c;
  return out;
}
