import type { Diagnostics, Position } from "../core/diagnostics.ts";
import type { LoadedDoc } from "../core/yaml/load.ts";
import { cloneSharing, deepClone, isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import { makeResource, type Resource } from "./resource.ts";

/**
 * Turns the documents of one file into resources the way kustomize's resource factory does: empty documents are
 * skipped, every object needs a kind and a metadata.name, `*List` kinds with `items` are expanded (their items
 * queued after the file's other documents), and a null item inside any list is an error.
 * Returns undefined (after reporting) when the file cannot be used.
 */
export function resourcesFromDocs(
  docs: readonly LoadedDoc[],
  relFile: string,
  diags: Diagnostics,
  /** Hand shared subtrees out as they are (see `share`) instead of copying them. */
  sharing = false,
): Resource[] | undefined {
  const out: Resource[] = [];
  // The loader says when a document has no null list item at all (nearly always): then there is nothing to find.
  const queue: { value: Value; at: Position; noNull?: boolean }[] = docs.map((d) => ({
    value: sharing ? cloneSharing(d.value) : deepClone(d.value),
    at: { file: relFile, line: d.line, column: d.column },
    noNull: d.nullItem === false,
  }));
  let ok = true;
  while (queue.length > 0) {
    const { value, at, noNull } = queue.shift()!;
    if (value === null || (isMap(value) && Object.keys(value).length === 0)) continue;
    if (!isMap(value)) {
      diags.error(
        "KUS020",
        "a resource document must be a mapping",
        at,
        "Each YAML document must be one Kubernetes object.",
      );
      ok = false;
      continue;
    }
    const kind = typeof value.kind === "string" ? value.kind : "";
    if (kind === "") {
      diags.error(
        "KUS020",
        "missing kind in object",
        at,
        "Every Kubernetes object needs `apiVersion` and `kind`.",
      );
      ok = false;
      continue;
    }
    if (kind.endsWith("List")) {
      if (Object.hasOwn(value, "items")) {
        const items = value.items;
        if (items === null || items === undefined) continue;
        if (!Array.isArray(items)) {
          diags.error("KUS020", `expected array in ${kind}/items`, at);
          ok = false;
          continue;
        }
        for (const item of items) queue.push({ value: item, at });
        continue;
      }
    } else {
      const md = value.metadata;
      const name = isMap(md) ? md.name : undefined;
      if (typeof name !== "string" || name === "") {
        diags.error(
          "KUS020",
          `missing metadata.name in ${kind} object`,
          at,
          "Give the object a metadata.name.",
        );
        ok = false;
        continue;
      }
    }
    const nil = noNull ? undefined : nullListItem(value, []);
    if (nil) {
      diags.error(
        "KUS020",
        `empty item at ${nil} in ${kind} object`,
        at,
        "Remove the empty `- ` list entry.",
      );
      ok = false;
      continue;
    }
    out.push(makeResource(value as ValueMap, at));
  }
  return ok ? out : undefined;
}

/** Path of the first null element of any list in `v`, like kyaml's HasNilEntryInList. */
function nullListItem(v: Value, trail: string[]): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (x === null) return [...trail, String(i)].join(".");
      if (typeof x === "object") {
        trail.push(String(i));
        const found = nullListItem(x, trail);
        trail.pop();
        if (found) return found;
      }
    }
  } else if (isMap(v)) {
    for (const k in v) {
      const x = v[k] as Value;
      if (x === null || typeof x !== "object") continue;
      trail.push(k);
      const found = nullListItem(x, trail);
      trail.pop();
      if (found) return found;
    }
  }
  return undefined;
}
