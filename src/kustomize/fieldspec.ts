import { isMap, newMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import type { Gvk } from "./resid.ts";

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
 * Splits a field path on `/`, keeping `/` inside `[...]` and honouring `\/` escapes
 * (kustomize's PathSplitter, e.g. `metadata/annotations/[a/b]`).
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

/** Called on each matched field: `holder[key]` is the field's current value (undefined when just created). */
export type FieldVisitor = (holder: ValueMap, key: string) => void;

export class FieldSpecError extends Error {}

/**
 * Walks `spec.path` through `obj` like kustomize's fieldspec.Filter: sequences on the way fan out to every
 * element, missing maps on the way are created only when `create` is set, and null values met are turned into
 * the created kind.
 */
export function visitField(
  obj: ValueMap,
  spec: FieldSpec,
  createKind: CreateKind,
  visit: FieldVisitor,
): void {
  walk(obj, splitPath(spec.path), spec.create === true ? createKind : undefined, visit);
}

function walk(node: Value, path: string[], createKind: CreateKind, visit: FieldVisitor): void {
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
  const exists = Object.hasOwn(node, name);
  if (!exists) {
    if (!createKind || isSeq) return;
    if (rest.length === 0) {
      if (createKind === "map") node[name] = newMap();
      else if (createKind === "seq") node[name] = [];
      else {
        visit(node, name);
        return;
      }
    } else {
      node[name] = newMap();
    }
  } else if (node[name] === null && (createKind || isSeq)) {
    if (isSeq) node[name] = [];
    else if (rest.length === 0) {
      if (createKind === "map") node[name] = newMap();
      else if (createKind === "seq") node[name] = [];
    } else node[name] = newMap();
  }
  if (rest.length === 0) {
    visit(node, name);
    return;
  }
  walk(node[name] as Value, rest, createKind, visit);
}
