import { isMap, newMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import { type Gvk, gvkOf } from "./resid.ts";

/** kustomize's types.FieldSpec: which field of which kinds a transformer touches. */
export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  path: string;
  create?: boolean;
}

/** What to create for a missing last path element when the spec says `create: true`. */
export type CreateKind = "map" | "seq" | "scalar" | undefined;

/** Gvk.IsSelected: every part the selector sets must match. */
export function gvkSelected(gvk: Gvk, sel: { group?: string; version?: string; kind?: string }): boolean {
  if (sel.group && sel.group !== gvk.group) return false;
  if (sel.version && sel.version !== gvk.version) return false;
  if (sel.kind && sel.kind !== gvk.kind) return false;
  return true;
}

/**
 * Splits a field path on `/`, keeping `/` inside `[...]` and honouring `\/` escapes, for callers that want
 * bracketed segments kept whole (e.g. `metadata/annotations/[a/b]`). The fieldspec walk itself uses
 * `splitFieldPath`, kustomize's plain PathSplitter.
 */
export function splitPath(p: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\" && p[i + 1] === "/") {
      cur += "/";
      i++;
    } else if (c === "[") {
      depth++;
      cur += c;
    } else if (c === "]") {
      depth = Math.max(0, depth - 1);
      cur += c;
    } else if (c === "/" && depth === 0) {
      out.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out.filter((s) => s !== "");
}

/**
 * kyaml's `utils.PathSplitter`, the splitter the fieldspec filter uses: splits on `/`, a `\\` before a `/`
 * escapes it (`metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret`), a leading `/` is dropped and
 * empty segments are kept (they make the walk fail as in kustomize). Brackets get no special treatment here.
 */
export function splitFieldPath(p: string): string[] {
  let parts = p.split("/");
  if (parts.length > 1 && parts[0] === "") parts = parts.slice(1);
  const out: string[] = [parts[0] ?? ""];
  for (let i = 1; i < parts.length; i++) {
    const last = out.length - 1;
    const prev = out[last]!;
    if (prev.endsWith("\\")) out[last] = `${prev.slice(0, -1)}/${parts[i]}`;
    else out.push(parts[i]!);
  }
  return out;
}

/** fieldspec.isMatchGVK: the spec's kind, group and version, where set, must equal the object's. */
export function fieldSpecMatches(spec: FieldSpec, obj: ValueMap): boolean {
  return gvkSelected(gvkOf(obj), spec);
}

/** Called on each matched field: `holder[key]` is the field's current value (undefined when just created). */
export type FieldVisitor = (holder: ValueMap, key: string) => void;

/** What kustomize reports when a path meets something it cannot walk through. */
export class FieldSpecError extends Error {}

/**
 * Walks `spec.path` through `obj` like kustomize's fieldspec.Filter (without its GVK check, see
 * `fieldSpecMatches`): sequences on the way fan out to every element, a `name[]` segment only walks an existing
 * sequence, missing fields are created only when `create` is set (maps on the way, `createKind` at the end), and a
 * null field met is turned into the kind that would have been created. `visit` gets the last field even when its
 * value is null. Throws FieldSpecError where kustomize's filter fails (a scalar on the way, an empty segment).
 */
export function visitField(
  obj: ValueMap,
  spec: FieldSpec,
  createKind: CreateKind,
  visit: FieldVisitor,
): void {
  walk(obj, splitFieldPath(spec.path), spec.create === true ? createKind : undefined, visit);
}

function walk(node: Value | undefined, path: string[], createKind: CreateKind, visit: FieldVisitor): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const el of node) walk(el, path, createKind, visit);
    return;
  }
  if (!isMap(node)) throw new FieldSpecError("expected sequence or mapping node");
  const [head, ...rest] = path;
  if (head === undefined) return;
  const isSeq = head.endsWith("[]");
  const name = isSeq ? head.slice(0, -2) : head;
  if (name === "") throw new FieldSpecError("cannot set or create an empty field name");
  // The kind kustomize's filter would create here; null values found are converted to it too.
  const kind: CreateKind | "seq" = isSeq
    ? "seq"
    : !createKind
      ? undefined
      : rest.length === 0
        ? createKind
        : "map";
  if (!Object.hasOwn(node, name)) {
    if (isSeq || kind === undefined) return;
    if (kind === "map") node[name] = newMap();
    else if (kind === "seq") node[name] = [];
    else {
      // A scalar is created by the visitor setting it.
      visit(node, name);
      return;
    }
  } else if (node[name] === null && kind !== undefined) {
    if (kind === "map") node[name] = newMap();
    else if (kind === "seq") node[name] = [];
  }
  if (rest.length === 0) {
    visit(node, name);
    return;
  }
  walk(node[name], rest, createKind, visit);
}
