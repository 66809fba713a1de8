/**
 * Strategic merge patch as kustomize v5.5 applies it: kyaml's merge2 walker (not apimachinery's SMP), with
 * list elements from the patch placed first (`ListIncreaseDirection: prepend`). Merge keys come from kyaml's
 * built-in Kubernetes OpenAPI; kinds without schema (every CRD) get maps merged and lists replaced.
 *
 * kyaml works on yaml.v3 nodes, mutates them in place and has many order- and aliasing-dependent quirks
 * (which elements survive, where they land). To match it byte for byte the walk below is a close port over a
 * tiny node model rather than a re-derivation from the SMP spec; only `$patch` is a directive to it, while
 * `$retainKeys`, `$setElementOrder/…` and `$deleteFromPrimitiveList/…` are plain fields.
 */
import { stringify } from "yaml";
import { emptyKeys, isMap, newMap, type Value, type ValueMap } from "../../core/yaml/value.ts";
import { elementSchema, fieldSchema, mergeKeys, type Schema, schemaForResourceType } from "./schema.ts";

/** A yaml.v3 node reduced to what merge2 looks at. */
interface Node {
  kind: "map" | "seq" | "scalar" | "none";
  /** Tagged `!!null` (only scalars and `none`). */
  isNull: boolean;
  /** Scalar text as kyaml compares it; keys of a map are scalar nodes too. */
  text: string;
  /** The decoded scalar, returned unchanged when the node survives. */
  scalar: Value;
  /** Map: key, value, key, value…; sequence: elements. */
  content: Node[];
  /** kyaml's RNode.ShouldKeep: a null kept from the target. */
  keep?: boolean;
}

type N = Node | undefined;

class MergeError extends Error {}

export interface SmpOptions {
  /** `options.allowNameChange` of the patches entry. */
  allowNameChange?: boolean;
  /** `options.allowKindChange` of the patches entry. */
  allowKindChange?: boolean;
}

/** `result` is null when the resource is gone: `$patch: delete` at the root, or nothing left of it. */
export type SmpResult = { ok: true; result: ValueMap | null } | { ok: false; error: string };

/**
 * Applies `patch` to `target` like kustomize's Resource.ApplySmPatch. Neither input is modified. Name, kind and
 * namespace of the target are kept unless the options allow a change (the namespace always is).
 */
export function applyStrategicMerge(target: ValueMap, patch: ValueMap, opts: SmpOptions = {}): SmpResult {
  const root = toNode(withoutEmptyValues(target));
  let merged: N;
  try {
    merged = walk([root, toNode(patch)], undefined);
  } catch (e) {
    if (e instanceof MergeError) return { ok: false, error: e.message };
    throw e;
  }
  if (merged === undefined) return { ok: true, result: null };
  // kustomize keeps its own node and ignores the filter's result: the merge only lands through in-place edits,
  // so a root `$patch: replace` (which returns the patch node) leaves the target as it was.
  if (isNilOrEmpty(root)) return { ok: true, result: null };
  const out = fromNode(root);
  if (!isMap(out)) return { ok: true, result: null };
  const md0 = isMap(target.metadata) ? target.metadata : undefined;
  if (!opts.allowKindChange) out.kind = typeof target.kind === "string" ? target.kind : "";
  if (!opts.allowNameChange) metadataOf(out).name = typeof md0?.name === "string" ? md0.name : "";
  const ns = typeof md0?.namespace === "string" ? md0.namespace : "";
  if (ns !== "") metadataOf(out).namespace = ns;
  else if (isMap(out.metadata)) delete out.metadata.namespace;
  return { ok: true, result: out };
}

function metadataOf(obj: ValueMap): ValueMap {
  if (!isMap(obj.metadata)) obj.metadata = newMap();
  return obj.metadata as ValueMap;
}

// ---------------------------------------------------------------------------------------------------------
// Node model

function scalarText(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "string") return v;
  return String(v);
}

function toNode(v: Value): Node {
  if (Array.isArray(v)) return { kind: "seq", isNull: false, text: "", scalar: null, content: v.map(toNode) };
  if (isMap(v)) {
    const content: Node[] = [];
    for (const k of Object.keys(v)) content.push(scalarNode(k), toNode(v[k] as Value));
    return { kind: "map", isNull: false, text: "", scalar: null, content };
  }
  return { kind: "scalar", isNull: v === null, text: scalarText(v), scalar: v, content: [] };
}

function scalarNode(v: Value): Node {
  return { kind: "scalar", isNull: v === null, text: scalarText(v), scalar: v, content: [] };
}

function fromNode(n: Node): Value {
  if (n.isNull || n.kind === "none") return null;
  if (n.kind === "seq") return n.content.map(fromNode);
  if (n.kind === "map") {
    const out = newMap();
    for (let i = 0; i + 1 < n.content.length; i += 2) {
      out[(n.content[i] as Node).text] = fromNode(n.content[i + 1] as Node);
    }
    return out;
  }
  return n.scalar;
}

const isMissingOrNull = (n: N): boolean => n === undefined || n.isNull;
const isTaggedNull = (n: N): boolean => n?.isNull === true;
const isEmptyMap = (n: N): boolean => isMissingOrNull(n) || (n?.kind === "map" && n.content.length === 0);
const isNilOrEmpty = (n: N): boolean =>
  n === undefined ||
  n.isNull ||
  ((n.kind === "map" || n.kind === "seq") && n.content.length === 0) ||
  (n.kind === "none" && n.text === "");

function kindName(n: Node): string {
  return { map: "MappingNode", seq: "SequenceNode", scalar: "ScalarNode", none: "0" }[n.kind];
}

/** kyaml's ErrorIfInvalid: missing and null nodes pass. */
function checkKind(n: N, kind: Node["kind"]): void {
  if (isMissingOrNull(n) || n === undefined) return;
  if (n.kind !== kind) {
    throw new MergeError(
      `wrong node kind: expected ${kindName({ ...n, kind })} but got ${kindName(n)}: node contents:\n${nodeYaml(n)}`,
    );
  }
}

/** Approximates kyaml's node.String() for error messages. */
function nodeYaml(n: Node): string {
  return stringify(fromNode(n), { lineWidth: 0 });
}

/** RNode.Field(name).Value; undefined for non-maps. */
function field(n: N, name: string): N {
  if (n === undefined || n.kind !== "map") return undefined;
  for (let i = 0; i + 1 < n.content.length; i += 2) {
    if ((n.content[i] as Node).text === name) return n.content[i + 1];
  }
  return undefined;
}

function fieldNames(n: Node): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < n.content.length; i += 2) out.push((n.content[i] as Node).text);
  return out;
}

function clearField(n: Node, name: string): void {
  checkKind(n, "map");
  for (let i = 0; i + 1 < n.content.length; i += 2) {
    if ((n.content[i] as Node).text === name) {
      n.content.splice(i, 2);
      return;
    }
  }
}

/** RNode.SetYNode: the existing node takes over the new node's contents (aliasing included). */
function setYNode(target: Node, from: Node): void {
  target.kind = from.kind;
  target.isNull = from.isNull;
  target.text = from.text;
  target.scalar = from.scalar;
  target.content = from.content;
  if (from.keep) target.keep = true;
  else delete target.keep;
}

/** yaml.FieldSetter with a node value. */
function setField(map: Node, name: string, value: N): void {
  if (value === undefined || (value.isNull && !value.keep)) {
    clearField(map, name);
    return;
  }
  checkKind(map, "map");
  const existing = field(map, name);
  if (existing !== undefined) {
    setYNode(existing, value);
    return;
  }
  map.content.push(scalarNode(name), value);
}

/** FieldMatcher{Name, StringValue}: the field's value node when present (and equal, when a value is given). */
function matchField(elem: Node, name: string, value: string | undefined): N {
  if (isMissingOrNull(elem)) return undefined;
  if (name === "") {
    checkKind(elem, "scalar");
    return elem.text === (value ?? "") ? elem : undefined;
  }
  checkKind(elem, "map");
  const v = field(elem, name);
  if (v === undefined) return undefined;
  return value === undefined || v.text === value ? v : undefined;
}

/** yaml.ElementSetter: replaces, deletes (element undefined) or appends the element matching keys/values. */
function elementSetter(list: Node, element: N, keys0: readonly string[], values: readonly string[]): N {
  const keys = keys0.length === 0 ? [""] : keys0;
  checkKind(list, "seq");
  const mappingSetter = keys.length > 0 && keys[0] !== "" && values.length > 0 && values[0] !== "";
  const next: Node[] = [];
  let matched = false;
  for (const elem of list.content) {
    if (isMissingOrNull(elem) || isEmptyMap(elem)) continue;
    if (elem.kind !== "map" && mappingSetter) {
      next.push(elem);
      continue;
    }
    let val: N;
    let found = true;
    for (let j = 0; j < keys.length; j++) {
      if (j < values.length) {
        const v = values[j] as string;
        val = matchField(elem, keys[j] as string, v === "" ? undefined : v);
      }
      if (val === undefined) {
        found = false;
        break;
      }
    }
    if (!found) {
      if (values.length > 0) next.push(elem);
      continue;
    }
    matched = true;
    if (element === undefined) continue;
    next.push(element);
  }
  list.content = next;
  if (isMissingOrNull(element) || element === undefined) return undefined;
  if (!matched) list.content.push(element);
  return element;
}

/** ElementMatcher{Keys, Values} via RNode.ElementList (errors read as "no match"). */
function elementList(list: Node, keys: readonly string[], values: readonly string[]): N {
  if (list.kind !== "seq") return undefined;
  const k = keys.length === 0 ? [""] : keys;
  const v = values.length === 0 ? [""] : values;
  if (k[0] === "") {
    return list.content.find((item) => item.text === v[0]);
  }
  if (k.length !== v.length) return undefined;
  for (const elem of list.content) {
    if (!isMissingOrNull(elem) && elem.kind !== "map") continue;
    if (k.every((key, i) => matchFieldStrict(elem, key, v[i] as string) !== undefined)) return elem;
  }
  return undefined;
}

/** MatchField(name, value): the value must equal, even when empty. */
function matchFieldStrict(elem: Node, name: string, value: string): N {
  if (isMissingOrNull(elem)) return undefined;
  const v = field(elem, name);
  return v !== undefined && v.text === value ? v : undefined;
}

/** RNode.ElementValuesList: per element, the text of each key ("" when absent or empty). */
function elementValuesList(list: Node, keys: readonly string[], scalars: Map<string, Value>): string[][] {
  return list.content.map((elem) =>
    keys.map((key) => {
      const f = field(elem, key);
      if (f === undefined || isNilOrEmpty(f)) return "";
      if (f.kind === "scalar" && !scalars.has(f.text)) scalars.set(f.text, f.scalar);
      return f.text;
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------
// $patch directives (merge2/smpdirective.go)

type Directive = "unknown" | "replace" | "delete" | "merge";

function determineDirective(patch: N): Directive {
  if (patch === undefined) return "merge";
  if (patch.kind === "seq") return sequenceDirective(patch);
  if (patch.kind === "map") return mappingDirective(patch);
  throw new MergeError(
    `no implemented strategic merge patch strategy for '${shortTag(patch)}' ('${nodeYaml(patch)}')`,
  );
}

function shortTag(n: Node): string {
  if (n.isNull) return "!!null";
  switch (typeof n.scalar) {
    case "boolean":
      return "!!bool";
    case "bigint":
      return "!!int";
    case "number":
      return Number.isInteger(n.scalar) ? "!!int" : "!!float";
    default:
      return "!!str";
  }
}

function directiveOf(v: string): Directive {
  if (v === "delete" || v === "replace" || v === "merge") return v;
  throw new MergeError(`unknown patch strategy '${v}'`);
}

function mappingDirective(patch: Node): Directive {
  const v = field(patch, "$patch");
  if (v === undefined) return "merge";
  const d = directiveOf(v.text);
  clearField(patch, "$patch");
  return d;
}

function sequenceDirective(patch: Node): Directive {
  const elem = patch.content.find(
    (e) => (isMissingOrNull(e) || e.kind === "map") && field(e, "$patch") !== undefined,
  );
  if (elem === undefined || elem.content.length > 2) return "merge";
  const v = field(elem, "$patch");
  if (v === undefined) return "merge";
  const d = directiveOf(v.text);
  elementSetter(patch, undefined, ["$patch"], [v.text]);
  return d;
}

// ---------------------------------------------------------------------------------------------------------
// The walk (kyaml/yaml/walk) with merge2's visitor

function getSchema(sources: N[], current: Schema | undefined): Schema | undefined {
  if (current !== undefined) return current;
  for (const src of sources) {
    if (isMissingOrNull(src)) continue;
    const av = field(src, "apiVersion");
    const kind = field(src, "kind");
    const avText = av === undefined || isNilOrEmpty(av) ? "" : av.text;
    const kindText = kind === undefined || isNilOrEmpty(kind) ? "" : kind.text;
    if (avText === "" || kindText === "") continue;
    const s = schemaForResourceType(avText, kindText);
    if (s !== undefined) return s;
  }
  return undefined;
}

function walk(sources: N[], schema0: Schema | undefined): N {
  const schema = getSchema(sources, schema0);
  const first = sources.find((s) => !isMissingOrNull(s));
  const kind = first?.kind ?? "none";
  switch (kind) {
    case "map":
      for (const s of sources) checkKind(s, "map");
      return walkMap(sources, schema);
    case "seq":
      for (const s of sources) checkKind(s, "seq");
      if (mergeKeys(schema) !== undefined) return walkAssociativeSequence(sources, schema);
      return visitList(sources, false);
    case "scalar":
      for (const s of sources) checkKind(s, "scalar");
      return sources[1] !== undefined ? sources[1] : sources[0];
    default:
      return walkMap(sources, schema);
  }
}

function visitMap(sources: N[]): N {
  const dest = sources[0];
  const origin = sources[1];
  if (isMissingOrNull(dest)) {
    let ps: Directive;
    try {
      ps = determineDirective(origin);
    } catch (e) {
      if (!(e instanceof MergeError)) throw e;
      ps = "unknown";
    }
    if (ps === "delete") return undefined;
    // A null in the target stays when the patch does not mention the field.
    if (origin === undefined && dest !== undefined && dest.text.length > 0) {
      return { kind: "scalar", isNull: true, text: dest.text, scalar: null, content: [], keep: true };
    }
    return origin;
  }
  if (isTaggedNull(origin)) return undefined;
  switch (determineDirective(origin)) {
    case "delete":
      return undefined;
    case "replace":
      return origin;
    default:
      return dest;
  }
}

function visitList(sources: N[], associative: boolean): N {
  const dest = sources[0];
  const origin = sources[1];
  if (!associative) return origin !== undefined ? origin : dest;
  if (isMissingOrNull(dest)) return origin;
  if (isTaggedNull(origin)) return undefined;
  switch (determineDirective(origin)) {
    case "delete":
      return undefined;
    case "replace":
      return origin;
    default:
      return dest;
  }
}

function walkMap(sources: N[], schema: Schema | undefined): N {
  const dest = visitMap(sources);
  sources[0] = dest;
  if (dest === undefined) return undefined;
  const names = new Set<string>();
  for (const s of sources) {
    // kyaml ignores Fields() errors here: non-map sources contribute no names.
    if (s === undefined || s.kind !== "map") continue;
    for (const n of fieldNames(s)) names.add(n);
  }
  for (const key of [...names].sort(byteOrder)) {
    const s = schema === undefined ? undefined : fieldSchema(schema, key);
    const values = sources.map((src) => (src === undefined ? undefined : field(src, key)));
    const val = walk(values, s);
    setField(dest, key, val);
  }
  return dest;
}

function byteOrder(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

function walkAssociativeSequence(sources: N[], schema: Schema | undefined): N {
  const dest = visitList(sources, true);
  sources[0] = dest;
  if (dest === undefined) return undefined;
  const keys = mergeKeys(schema) ?? [];
  const scalars = new Map<string, Value>();
  const values = elementValues(sources, keys, scalars);
  if (values.length !== 0 || keys.length > 0) {
    return setAssociativeSequenceElements(sources, schema, values, keys, dest, scalars);
  }
  return setAssociativeSequenceElements(
    sources,
    schema,
    elementPrimitiveValues(sources),
    [""],
    dest,
    scalars,
  );
}

/** Key values of every element, patch first (prepend), first occurrence wins. */
function elementValues(sources: N[], keys: readonly string[], scalars: Map<string, Value>): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < sources.length; i++) {
    const src = sources[(i + 1) % sources.length];
    if (src === undefined || (src.kind !== "seq" && !src.isNull)) continue;
    for (const s of elementValuesList(src, keys, scalars)) {
      const id = JSON.stringify(s);
      if (s.length === 0 || seen.has(id)) continue;
      out.push(s);
      seen.add(id);
    }
  }
  return out;
}

function elementPrimitiveValues(sources: N[]): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < sources.length; i++) {
    const src = sources[(i + 1) % sources.length];
    if (src === undefined) continue;
    for (const item of src.content) {
      if (seen.has(item.text)) continue;
      out.push([item.text]);
      seen.add(item.text);
    }
  }
  return out;
}

function validateKeys(
  valuesList: readonly (readonly string[])[],
  values: readonly string[],
  keys: readonly string[],
): [string[], string[]] {
  const valid = new Set<string>();
  for (const vs of valuesList) {
    vs.forEach((v, i) => {
      if (v !== "") valid.add(keys[i] as string);
    });
  }
  if (valid.size === 0) return [[...keys], [...values]];
  const validKeys = keys.filter((k) => valid.has(k));
  const validValues = values.filter((v, i) => v !== "" || valid.has(keys[i] as string));
  return [validKeys, validValues];
}

/** Two key tuples are one element when they share a value and differ only where one side is empty. */
function mergeValues(valuesList: string[][]): string[][] {
  for (let i = 0; i < valuesList.length; i++) {
    const v1 = valuesList[i] as string[];
    for (let j = 0; j < valuesList.length; j++) {
      const m = matchValues(v1, valuesList[j] as string[]);
      if (m !== undefined) {
        valuesList[i] = m;
        valuesList[j] = m;
      }
    }
  }
  return valuesList;
}

function matchValues(a: readonly string[], b: readonly string[]): string[] | undefined {
  if (a.length !== b.length) return undefined;
  let common = false;
  const res: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) {
      common = true;
      res.push(x);
      continue;
    }
    if (x !== "" && y !== "") return undefined;
    res.push(x !== "" ? x : y);
  }
  return common ? res : undefined;
}

function elementValueList(sources: N[], keys0: readonly string[], values0: readonly string[]): N[] {
  const [keys, values] = validateKeys([values0], values0, keys0);
  return sources.map((src) => (src === undefined ? undefined : elementList(src, keys, values)));
}

function setAssociativeSequenceElements(
  sources: N[],
  schema: Schema | undefined,
  valuesList0: string[][],
  keys: readonly string[],
  dest0: Node,
  scalars: Map<string, Value>,
): N {
  let dest: Node = dest0;
  const items: Node = { kind: "seq", isNull: false, text: "", scalar: null, content: [] };
  const elemSchema = schema === undefined ? undefined : elementSchema(schema);
  const valuesList = keys.length > 1 ? mergeValues(valuesList0) : valuesList0;
  let validKeys: string[] = [];
  let validValues: string[] = [];
  for (const values of valuesList) {
    if (values.length === 0) continue;
    [validKeys, validValues] = validateKeys(valuesList, values, keys);
    const val = walk(elementValueList(sources, validKeys, validValues), elemSchema);
    let exit = false;
    for (let i = 0; i < validKeys.length; i++) {
      const key = validKeys[i] as string;
      const v = validValues[i] ?? "";
      if (val === undefined || isMissingOrNull(val) || isEmptyMap(val)) {
        elementSetter(dest, undefined, validKeys, validValues);
        exit = true;
      } else if (field(val, key) === undefined && v !== "") {
        if (key === "") {
          checkKind(val, "scalar");
        } else {
          setField(val, key, scalarNode(scalars.has(v) ? (scalars.get(v) as Value) : v));
        }
      }
    }
    if (exit || val === undefined) continue;
    elementSetter(items, val, validKeys, validValues);
  }
  if (valuesList.length > 0) dest = appendListNode(items, dest, validKeys);
  if (isMissingOrNull(dest)) return undefined;
  return dest;
}

/** Sets every element of src into dst by its keys (replacing matches, appending the rest). */
function appendListNode(dst: Node, src: Node, keys: readonly string[]): Node {
  for (const elem of [...src.content]) {
    if (keys[0] === "") {
      elementSetter(dst, elem, [""], [elem.text]);
      continue;
    }
    const v: string[] = [];
    for (const key of keys) {
      // FieldMatcher: nulls match nothing, non-maps are an error.
      if (!isMissingOrNull(elem)) checkKind(elem, "map");
      const valueNode = isMissingOrNull(elem) ? undefined : field(elem, key);
      if (valueNode === undefined) {
        checkKind(dst, "seq");
        dst.content.push(elem);
        continue;
      }
      v.push(valueNode.text);
    }
    if (keys.length > 1) elementSetter(dst, undefined, keys, v);
    elementSetter(dst, elem, keys, v);
  }
  return dst;
}

/**
 * kyaml drops fields written with an empty value (`key:`, unlike `key: null` or `key: ~`) from any object a
 * strategic-merge patch touches. A copy of `target` without them (the input is not modified).
 */
function withoutEmptyValues(target: ValueMap): ValueMap {
  // Lists are not walked field by field (kubectl keeps `- a:` in a list element as null). Maps without empty
  // values anywhere below are returned as they are: patches run on every object, most have none.
  const prune = (v: ValueMap): ValueMap => {
    const drop = emptyKeys(v);
    let out: ValueMap | undefined;
    for (const k of Object.keys(v)) {
      const x = v[k] as Value;
      const next = drop.includes(k) ? undefined : isMap(x) ? prune(x) : x;
      if (next !== x && !out) {
        out = newMap();
        for (const before of Object.keys(v)) {
          if (before === k) break;
          out[before] = v[before] as Value;
        }
      }
      if (out && next !== undefined) out[k] = next;
    }
    return out ?? v;
  };
  return prune(target);
}
