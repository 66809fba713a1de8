import { parseAllDocuments } from "yaml";
import { childType, documentType, orderAs, replaceField } from "./config-order.ts";
import type { Document } from "./generate.ts";
import type { GoValue } from "./go-yaml.ts";

/** A loaded patch: Talos tells them apart by shape (configpatcher.LoadPatch). */
export type ConfigPatch =
  | { type: "strategic"; documents: Document[] }
  | { type: "json6902"; operations: JsonPatchOperation[] };

export interface JsonPatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  from?: string;
  value?: GoValue;
}

/** Parses patch text: a YAML/JSON list of operations is RFC 6902, mappings are strategic merge patches. */
export function loadPatch(text: string): ConfigPatch {
  const docs = parseAllDocuments(text);
  const values: GoValue[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(d.errors[0]?.message ?? "invalid YAML");
    const v = d.toJS() as GoValue;
    if (v !== null && v !== undefined) values.push(v);
  }
  if (values.length === 1 && Array.isArray(values[0])) {
    const ops = values[0];
    for (const op of ops) {
      if (typeof op !== "object" || op === null || Array.isArray(op) || typeof op.op !== "string") {
        throw new Error("a JSON 6902 patch is a list of operations with op and path");
      }
      if (!["add", "remove", "replace", "move", "copy", "test"].includes(op.op)) {
        throw new Error(`unknown JSON 6902 operation ${op.op}`);
      }
    }
    return { type: "json6902", operations: ops as unknown as JsonPatchOperation[] };
  }
  for (const v of values) {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      throw new Error("a strategic merge patch is one or more YAML mappings (config documents)");
    }
  }
  return { type: "strategic", documents: values as Document[] };
}

/** Thrown for patches Talos would refuse; the message is Talos's where it has one. */
export class PatchError extends Error {}

/** Applies patches in order, as configpatcher.Apply: JSON 6902 only on single-document configs. */
export function applyPatches(config: Document[], patches: readonly ConfigPatch[]): Document[] {
  let docs = config.map((d) => structuredClone(d));
  for (const patch of patches) {
    if (patch.type === "json6902") {
      if (docs.length !== 1) {
        throw new PatchError("JSON6902 patches are not supported for multi-document machine configuration");
      }
      let doc = docs[0] as GoValue;
      for (const op of patch.operations) doc = applyOperation(doc, op);
      docs = [doc as Document];
    } else {
      docs = strategicMerge(docs, patch.documents);
    }
  }
  return docs.map((d) => orderAs(d, documentType(d)) as Document);
}

function identity(doc: Document): string {
  if (doc.kind === undefined && (doc.version === "v1alpha1" || "machine" in doc || "cluster" in doc))
    return "v1alpha1";
  return `${String(doc.apiVersion ?? "")}/${String(doc.kind ?? "")}/${doc.name === undefined ? "" : String(doc.name)}`;
}

function strategicMerge(config: Document[], patch: Document[]): Document[] {
  const out = [...config];
  for (const p of patch) {
    const id = identity(p);
    const index = out.findIndex((d) => identity(d) === id);
    if (p.$patch === "delete") {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index < 0) {
      out.push(stripDirectives(p) as Document);
      continue;
    }
    const target = out[index] as Document;
    out[index] = mergeValue(target, p, documentType(target)) as Document;
  }
  return out;
}

function stripDirectives(v: GoValue): GoValue {
  if (Array.isArray(v)) return v.filter((x) => !isDelete(x)).map(stripDirectives);
  if (typeof v !== "object" || v === null) return v;
  const out: Document = {};
  for (const [k, x] of Object.entries(v)) if (k !== "$patch" && !isDelete(x)) out[k] = stripDirectives(x);
  return out;
}

function isDelete(v: GoValue | undefined): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && v.$patch === "delete";
}

/** Keys by which Talos merges list items instead of appending (the custom Merge methods). */
const listKeys: Record<string, string[]> = {
  "v1alpha1.Device": ["interface", "deviceSelector"],
  "v1alpha1.Vlan": ["vlanId"],
  "v1alpha1.AdmissionPluginConfig": ["name"],
  "extensions.ConfigFile": ["mountPath"],
};

/** Talos's merge.Merge on decoded values: maps merge per key, lists append, scalars are replaced. */
function mergeValue(left: GoValue, right: GoValue, type: string | undefined): GoValue {
  if (right === null || right === undefined) return left;
  if (Array.isArray(right)) {
    if (!Array.isArray(left)) return stripDirectives(right);
    return mergeList(left, right, type);
  }
  if (typeof right === "object") {
    if (typeof left !== "object" || left === null || Array.isArray(left)) return stripDirectives(right);
    const out: Document = { ...left };
    for (const [k, v] of Object.entries(right)) {
      if (k === "$patch") continue;
      if (isDelete(v)) {
        delete out[k];
        continue;
      }
      const ft = childType(type, k);
      if (Array.isArray(v) && replaceField(type, k)) out[k] = stripDirectives(v);
      else out[k] = k in out ? mergeValue(out[k] as GoValue, v, ft) : stripDirectives(v);
    }
    return out;
  }
  // Go skips zero-valued strings (an empty string in a patch does not clear a field).
  if (right === "") return left;
  return right;
}

function mergeList(left: GoValue[], right: GoValue[], type: string | undefined): GoValue[] {
  const elem = type ? childType(type, "") : undefined;
  const keys = elem ? listKeys[elem] : undefined;
  let out = [...left];
  for (const item of right) {
    if (isDelete(item)) {
      const selector = Object.entries(item as Document).filter(([k]) => k !== "$patch");
      out = out.filter((x) => !matches(x, selector));
      continue;
    }
    if (keys && typeof item === "object" && item !== null && !Array.isArray(item)) {
      const key = keys.find((k) => (item as Document)[k] !== undefined);
      const at = key
        ? out.findIndex(
            (x) =>
              typeof x === "object" &&
              x !== null &&
              !Array.isArray(x) &&
              JSON.stringify(x[key]) === JSON.stringify((item as Document)[key]),
          )
        : -1;
      if (at >= 0) {
        out[at] = mergeValue(out[at] as GoValue, item, elem);
        continue;
      }
    }
    out.push(stripDirectives(item));
  }
  return out;
}

function matches(x: GoValue, selector: [string, GoValue][]): boolean {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  return selector.every(([k, v]) => JSON.stringify(x[k]) === JSON.stringify(v));
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(`JSON pointer ${path} must start with /`);
  return path
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function getAt(doc: GoValue, parts: string[], path: string): GoValue {
  let node = doc;
  for (const p of parts) {
    if (Array.isArray(node)) node = node[Number(p)] as GoValue;
    else if (typeof node === "object" && node !== null && p in node) node = node[p] as GoValue;
    else throw new PatchError(`JSON 6902: path ${path} does not exist`);
    if (node === undefined) throw new PatchError(`JSON 6902: path ${path} does not exist`);
  }
  return node;
}

function applyOperation(doc: GoValue, op: JsonPatchOperation): GoValue {
  const root = structuredClone(doc);
  const parts = pointer(op.path);
  const set = (target: GoValue, ps: string[], value: GoValue, insert: boolean): GoValue => {
    if (ps.length === 0) return value;
    const parent = getAt(target, ps.slice(0, -1), op.path);
    const last = ps[ps.length - 1] as string;
    if (Array.isArray(parent)) {
      const i = last === "-" ? parent.length : Number(last);
      if (!Number.isInteger(i) || i < 0 || i > parent.length)
        throw new PatchError(`JSON 6902: bad index in ${op.path}`);
      if (insert) parent.splice(i, 0, value);
      else parent[i] = value;
    } else if (typeof parent === "object" && parent !== null) {
      if (!insert && !(last in parent)) throw new PatchError(`JSON 6902: path ${op.path} does not exist`);
      parent[last] = value;
    } else throw new PatchError(`JSON 6902: ${op.path} is not inside an object or list`);
    return target;
  };
  const remove = (target: GoValue, ps: string[], path: string): GoValue => {
    const parent = getAt(target, ps.slice(0, -1), path);
    const last = ps[ps.length - 1] as string;
    getAt(target, ps, path);
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else if (typeof parent === "object" && parent !== null) delete parent[last];
    return target;
  };
  switch (op.op) {
    case "add":
      return set(root, parts, op.value ?? null, true);
    case "replace":
      return set(root, parts, op.value ?? null, false);
    case "remove":
      return remove(root, parts, op.path);
    case "move": {
      const from = pointer(op.from ?? "");
      const value = getAt(root, from, op.from ?? "");
      return set(remove(root, from, op.from ?? ""), parts, value, true);
    }
    case "copy":
      return set(root, parts, structuredClone(getAt(root, pointer(op.from ?? ""), op.from ?? "")), true);
    case "test":
      if (JSON.stringify(getAt(root, parts, op.path)) !== JSON.stringify(op.value)) {
        throw new PatchError(`JSON 6902: test failed at ${op.path}`);
      }
      return root;
  }
}
