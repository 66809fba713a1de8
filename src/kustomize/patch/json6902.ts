/**
 * RFC 6902 JSON patch as kustomize v5.5 applies it: gopkg.in/evanphx/json-patch.v4 (v4.12.0) on the object's
 * JSON form. Its deviations from the RFC are kept on purpose, because users' patches rely on them:
 * - `replace` of a missing object key adds it; `copy` from a missing key writes null;
 * - negative array indices count from the end;
 * - the text before the first `/` of a path is ignored, and a path without `/` matches nothing;
 * - `replace` at the root with a scalar value is silently a no-op;
 * - a JSON null inside the document reads as missing when a path walks through it.
 * Error texts are the library's, so they read like kustomize's.
 */
import { parseAllDocuments, visit } from "yaml";
import { resolvesToNonString } from "../../core/yaml/emit.ts";
import { loadYaml } from "../../core/yaml/load.ts";
import { deepClone, deepEqual, isMap, newMap, type Value, type ValueMap } from "../../core/yaml/value.ts";

export type Json6902Result = { ok: true; result: ValueMap } | { ok: false; error: string };

class PatchError extends Error {}

/** A container the library can address: an object, or an array (mutated in place). */
type Container = { t: "doc"; m: ValueMap } | { t: "ary"; a: Value[] };

const MISSING = "missing value";
const INVALID_INDEX = "invalid index referenced";
const TEST_FAILED = "test failed";

/**
 * Decodes patch text the way kustomize does once it has decided the patch is JSON 6902: text starting with `[` is
 * JSON; anything else is the first YAML document read by sigs.k8s.io/yaml, i.e. YAML 1.1 (`y`, `on`, `no` are
 * booleans, also as keys; `0777` is octal) with timestamps left as strings. Inline `patch:` text is trimmed by
 * kustomize first, a `path:` file is not.
 */
export function decodeJson6902Text(
  text: string,
  /** Try homeops's own loader first where it reads the text as YAML 1.1 would (see quickDecode). */
  quick = true,
): { ok: true; ops: Value } | { ok: false; error: string } {
  if (text === "") return { ok: false, error: "empty json patch operations" };
  if (text.startsWith("[")) {
    try {
      return { ok: true, ops: fromJson(JSON.parse(text)) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }
  const fast = quick ? quickDecode(text) : undefined;
  if (fast !== undefined) return { ok: true, ops: fast };
  const docs = parseAllDocuments(text, {
    version: "1.1",
    uniqueKeys: false,
    intAsBigInt: true,
    // yaml.v2 hands timestamps and sexagesimal-looking scalars to interface{} as strings.
    customTags: (tags) =>
      tags.filter((t) =>
        typeof t === "string"
          ? !["timestamp", "intTime", "floatTime"].includes(t)
          : t.tag !== "tag:yaml.org,2002:timestamp" && !("format" in t && t.format === "TIME"),
      ),
  });
  // Only the first document counts (yaml.v2 Unmarshal).
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (doc === undefined) return { ok: true, ops: null };
  const err = doc.errors[0];
  if (err) return { ok: false, error: err.message };
  // goyaml keeps a block scalar's final break only if the text has one; kustomize trims inline patches, so a
  // `value: |` at the very end has none (the `yaml` package would add it).
  if (!/[\r\n]$/.test(text)) {
    visit(doc, {
      Scalar(_key, node) {
        const end = node.range?.[1] ?? 0;
        const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
        if (block && end >= text.length && typeof node.value === "string" && node.value.endsWith("\n")) {
          node.value = node.value.slice(0, -1);
        }
      },
    });
  }
  let js: unknown;
  try {
    js = doc.toJS();
  } catch (e) {
    // An alias to no anchor: the `yaml` package throws where goyaml reports.
    const alias = /: (\S+)$/.exec((e as Error).message)?.[1];
    if (e instanceof ReferenceError && alias)
      return { ok: false, error: `yaml: unknown anchor '${alias}' referenced` };
    throw e;
  }
  return { ok: true, ops: fromJson(js) };
}

/**
 * The YAML 1.1 reading through homeops's own (YAML 1.2) loader, for text where the two cannot differ: no
 * anchors, aliases, tags, directives, merge keys, escapes, tabs or folded scalars, no loader problem, and no
 * string or key that YAML 1.1 would read as something else (`yes`, `0777`, `1:30`, a timestamp) unless the
 * string was quoted (`value: "3"`, which both read as a string). Undefined otherwise; the `yaml` package then
 * reads it. (It is the slow part of decoding the patches of a large repo.)
 */
export function quickDecode(text: string): Value | undefined {
  if (/[\\>\t]|<<|^%|(?:^|[\s[{,])[&*!]/m.test(text)) return undefined;
  const loaded = loadYaml(text, "");
  if (loaded.diagnostics.length > 0) return undefined;
  const first = loaded.docs[0];
  if (first === undefined || first.index !== 0) return undefined;
  // Where a string starts in the text (printable ASCII: a column is a character) tells whether it was quoted.
  const quoted = (path: readonly (string | number)[]): boolean => {
    const at = loaded.printable ? first.positionOf(path) : undefined;
    if (at === undefined) return false;
    let offset = 0; // the start of the position's line (the position comes from this text)
    for (let line = 1; line < at.line; line++) offset = text.indexOf("\n", offset) + 1;
    const c = text.charCodeAt(offset + at.column - 1);
    return c === 0x22 || c === 0x27;
  };
  if (!sameInYaml11(first.value, [], quoted)) return undefined;
  // A copy without the loader's empty-value markers, as the `yaml` package would give.
  return fromJson(first.value);
}

function sameInYaml11(
  v: Value,
  path: (string | number)[],
  quoted: (path: readonly (string | number)[]) => boolean,
): boolean {
  if (typeof v === "string") return !resolvesToNonString(v) || quoted(path);
  const step = (key: string | number, x: Value): boolean => {
    path.push(key);
    const same = sameInYaml11(x, path, quoted);
    path.pop();
    return same;
  };
  if (Array.isArray(v)) return v.every((x, i) => step(i, x));
  if (isMap(v)) return Object.keys(v).every((k) => !resolvesToNonString(k) && step(k, v[k] as Value));
  return true;
}

/** Plain JSON-like data from a parser into Values (null-prototype maps, safe integers as numbers). */
function fromJson(v: unknown): Value {
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if (v !== null && typeof v === "object") {
    const out = newMap();
    for (const [k, x] of Object.entries(v)) out[k] = fromJson(x);
    return out;
  }
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  return null;
}

/** Applies `ops` (the decoded list of operations) to a copy of `target`. */
export function applyJson6902(target: ValueMap, ops: Value): Json6902Result {
  if (!Array.isArray(ops)) {
    return {
      ok: false,
      error: `json: cannot unmarshal ${goType(ops)} into Go value of type jsonpatch.Patch`,
    };
  }
  for (const op of ops) {
    if (!isMap(op) && op !== null) {
      return {
        ok: false,
        error: `json: cannot unmarshal ${goType(op)} into Go value of type jsonpatch.Operation`,
      };
    }
  }
  let root: Container = { t: "doc", m: deepClone(target) };
  try {
    for (const op of ops) {
      const o: ValueMap = isMap(op) ? op : {};
      const kind = typeof o.op === "string" ? o.op : "unknown";
      switch (kind) {
        case "add":
          add(root, o);
          break;
        case "remove":
          remove(root, o);
          break;
        case "replace":
          root = replace(root, o);
          break;
        case "move":
          move(root, o);
          break;
        case "test":
          test(root, o);
          break;
        case "copy":
          copy(root, o);
          break;
        default:
          throw new PatchError(`Unexpected kind: ${kind}`);
      }
    }
  } catch (e) {
    if (e instanceof PatchError) return { ok: false, error: e.message };
    throw e;
  }
  if (root.t !== "doc") return { ok: false, error: "the patched document is a list, not an object" };
  return { ok: true, result: root.m };
}

function goType(v: Value | undefined): string {
  if (Array.isArray(v)) return "array";
  if (isMap(v)) return "object";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number" || typeof v === "bigint") return "number";
  return "string";
}

/** Operation.Path / From: a string, or the library's wrapped errors. */
function stringField(op: ValueMap, name: "path" | "from"): { value: string } | { error: string } {
  const v = op[name];
  if (v === undefined || v === null) {
    return {
      error:
        name === "path"
          ? `operation missing path field: ${MISSING}`
          : `operation, missing from field: ${MISSING}`,
    };
  }
  if (typeof v !== "string")
    return { error: `json: cannot unmarshal ${goType(v)} into Go value of type string` };
  return { value: v };
}

/** The op's `value`: undefined when absent (the library's nil node); JSON null is a value. */
function opValue(op: ValueMap): Value | undefined {
  return Object.hasOwn(op, "value") ? deepClone(op.value as Value) : undefined;
}

function decodeKey(k: string): string {
  // strings.NewReplacer("~1", "/", "~0", "~"): one left-to-right pass.
  return k.replace(/~[01]/g, (m) => (m === "~1" ? "/" : "~"));
}

/** Go's strconv.Atoi with its error texts. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new PatchError(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const n = Number.parseInt(s, 10);
  if (!Number.isSafeInteger(n))
    throw new PatchError(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  return n;
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

function containerOf(v: Value | undefined): Container | undefined {
  if (Array.isArray(v)) return { t: "ary", a: v };
  if (isMap(v)) return { t: "doc", m: v };
  return undefined;
}

/** Gets a child; undefined (the library's nil) for missing keys and nulls; errors for bad array indices. */
function get(c: Container, key: string): Value | undefined {
  if (c.t === "doc") {
    const v = Object.hasOwn(c.m, key) ? c.m[key] : undefined;
    return v === null ? undefined : v;
  }
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.a.length) throw new PatchError(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
    idx += c.a.length;
  }
  if (idx >= c.a.length) throw new PatchError(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
  const v = c.a[idx];
  return v === null ? undefined : v;
}

function findObject(root: Container, path: string): { con: Container; key: string } | undefined {
  const split = path.split("/");
  if (split.length < 2) return undefined;
  let doc = root;
  for (const part of split.slice(1, -1)) {
    let next: Value | undefined;
    try {
      next = get(doc, decodeKey(part));
    } catch (e) {
      if (e instanceof PatchError) return undefined;
      throw e;
    }
    const c = containerOf(next);
    if (c === undefined) return undefined;
    doc = c;
  }
  return { con: doc, key: decodeKey(split[split.length - 1] as string) };
}

function addTo(c: Container, key: string, val: Value): void {
  if (c.t === "doc") {
    c.m[key] = val;
    return;
  }
  if (key === "-") {
    c.a.push(val);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    if (e instanceof PatchError)
      throw new PatchError(`value was not a proper array index: '${key}': ${e.message}`);
    throw e;
  }
  const size = c.a.length + 1;
  if (idx >= size) throw new PatchError(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
  if (idx < 0) {
    if (idx < -size) throw new PatchError(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
    idx += size;
  }
  c.a.splice(idx, 0, val);
}

function removeFrom(c: Container, key: string): void {
  if (c.t === "doc") {
    if (!Object.hasOwn(c.m, key))
      throw new PatchError(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    delete c.m[key];
    return;
  }
  let idx = atoi(key);
  if (idx >= c.a.length) throw new PatchError(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
  if (idx < 0) {
    if (idx < -c.a.length) throw new PatchError(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
    idx += c.a.length;
  }
  c.a.splice(idx, 1);
}

function setIn(c: Container, key: string, val: Value): void {
  if (c.t === "doc") {
    c.m[key] = val;
    return;
  }
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.a.length) throw new PatchError(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
    idx += c.a.length;
  }
  c.a[idx] = val;
}

function wrap(prefix: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (e instanceof PatchError) throw new PatchError(`${prefix}: ${e.message}`);
    throw e;
  }
}

function add(root: Container, op: ValueMap): void {
  const p = stringField(op, "path");
  if ("error" in p) throw new PatchError(`add operation failed to decode path: ${MISSING}`);
  const found = findObject(root, p.value);
  if (!found)
    throw new PatchError(`add operation does not apply: doc is missing path: "${p.value}": ${MISSING}`);
  wrap(`error in add for path: '${p.value}'`, () => addTo(found.con, found.key, opValue(op) ?? null));
}

function remove(root: Container, op: ValueMap): void {
  const p = stringField(op, "path");
  if ("error" in p) throw new PatchError(`remove operation failed to decode path: ${MISSING}`);
  const found = findObject(root, p.value);
  if (!found) {
    throw new PatchError(`remove operation does not apply: doc is missing path: "${p.value}": ${MISSING}`);
  }
  wrap(`error in remove for path: '${p.value}'`, () => removeFrom(found.con, found.key));
}

function replace(root: Container, op: ValueMap): Container {
  const p = stringField(op, "path");
  if ("error" in p) throw new PatchError(`replace operation failed to decode path: ${p.error}`);
  if (p.value === "") {
    // A scalar value wraps a nil error in the library: nothing happens.
    return containerOf(opValue(op)) ?? root;
  }
  const found = findObject(root, p.value);
  if (!found)
    throw new PatchError(`replace operation does not apply: doc is missing path: ${p.value}: ${MISSING}`);
  try {
    get(found.con, found.key);
  } catch (e) {
    if (e instanceof PatchError) {
      throw new PatchError(`replace operation does not apply: doc is missing key: ${p.value}: ${MISSING}`);
    }
    throw e;
  }
  wrap(`error in remove for path: '${p.value}'`, () => setIn(found.con, found.key, opValue(op) ?? null));
  return root;
}

function move(root: Container, op: ValueMap): void {
  const from = stringField(op, "from");
  if ("error" in from) throw new PatchError(`move operation failed to decode from: ${from.error}`);
  const src = findObject(root, from.value);
  if (!src)
    throw new PatchError(
      `move operation does not apply: doc is missing from path: ${from.value}: ${MISSING}`,
    );
  let val: Value | undefined;
  wrap(`error in move for path: '${src.key}'`, () => {
    val = get(src.con, src.key);
    removeFrom(src.con, src.key);
  });
  const p = stringField(op, "path");
  if ("error" in p) throw new PatchError(`move operation failed to decode path: ${p.error}`);
  const dst = findObject(root, p.value);
  if (!dst) {
    throw new PatchError(
      `move operation does not apply: doc is missing destination path: ${p.value}: ${MISSING}`,
    );
  }
  wrap(`error in move for path: '${p.value}'`, () => addTo(dst.con, dst.key, val ?? null));
}

function test(root: Container, op: ValueMap): void {
  const p = stringField(op, "path");
  if ("error" in p) throw new PatchError(`test operation failed to decode path: ${p.error}`);
  const want = opValue(op);
  if (p.value === "") {
    const self = root.t === "doc" ? root.m : root.a;
    if (want !== undefined && deepEqual(self, want)) return;
    throw new PatchError(`testing value ${p.value} failed: ${TEST_FAILED}`);
  }
  const found = findObject(root, p.value);
  if (!found) throw new PatchError(`test operation does not apply: is missing path: ${p.value}: ${MISSING}`);
  let val: Value | undefined;
  wrap(`error in test for path: '${p.value}'`, () => {
    val = get(found.con, found.key);
  });
  if (val === undefined) {
    if (want === undefined || want === null) return;
    throw new PatchError(`testing value ${p.value} failed: ${TEST_FAILED}`);
  }
  if (want !== undefined && deepEqual(val, want)) return;
  throw new PatchError(`testing value ${p.value} failed: ${TEST_FAILED}`);
}

function copy(root: Container, op: ValueMap): void {
  const from = stringField(op, "from");
  if ("error" in from) throw new PatchError(`copy operation failed to decode from: ${from.error}`);
  const src = findObject(root, from.value);
  if (!src)
    throw new PatchError(
      `copy operation does not apply: doc is missing from path: ${from.value}: ${MISSING}`,
    );
  let val: Value | undefined;
  wrap(`error in copy for from: '${from.value}'`, () => {
    val = get(src.con, src.key);
  });
  const p = stringField(op, "path");
  if ("error" in p) throw new PatchError(`copy operation failed to decode path: ${MISSING}`);
  const dst = findObject(root, p.value);
  if (!dst) {
    throw new PatchError(
      `copy operation does not apply: doc is missing destination path: ${p.value}: ${MISSING}`,
    );
  }
  const dup = val === undefined ? null : deepClone(val);
  wrap("error while adding value during copy", () => addTo(dst.con, dst.key, dup));
}
