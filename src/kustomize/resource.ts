import type { Position } from "../core/diagnostics.ts";
import { isMap, newMap, type ValueMap } from "../core/yaml/value.ts";
import { effectiveNamespace, idOf, type ResId } from "./resid.ts";

export type GeneratorBehavior = "create" | "merge" | "replace";

/** One object inside a build, with the bookkeeping kustomize keeps beside it. */
export interface Resource {
  /** The object itself; transformers mutate it in place. */
  obj: ValueMap;
  /** Where the object was read or generated (the document start, or the kustomization entry). */
  origin: Position;
  /**
   * The ids this object had before renames (prefix/suffix, namespace, hash suffix, patches that change names),
   * oldest first; kustomize keeps them as internal `previousNames/Kinds/Namespaces` annotations and uses them to
   * find which references point at this object.
   */
  prevIds: ResId[];
  /** Set by generators: how the object combines with one of the same id. */
  behavior?: GeneratorBehavior;
  /** Set by generators unless disableNameSuffixHash: the name gets a content hash at the end of the build. */
  needsHashSuffix?: boolean;
  /**
   * Directory of the kustomization that brought this object in first; kustomize's name-reference fix-up prefers
   * targets that share a referrer's kustomization lineage.
   */
  loadedFrom?: string;
  /**
   * Prefixes and suffixes the prefix/suffix transformers added to the name, innermost kustomization first
   * (kustomize's internal `prefixes`/`suffixes` annotations); the name-reference fix-up uses them to pick between
   * targets that had the same original name.
   */
  namePrefixes?: string[];
  nameSuffixes?: string[];
}

export function makeResource(obj: ValueMap, origin: Position): Resource {
  return { obj, origin, prevIds: [] };
}

export function currentId(r: Resource): ResId {
  return idOf(r.obj);
}

/** The id the object had when first loaded (kustomize's OrgId). */
export function originalId(r: Resource): ResId {
  return r.prevIds[0] ?? currentId(r);
}

/** Every id the object has had, current last. */
export function allIds(r: Resource): ResId[] {
  return [...r.prevIds, currentId(r)];
}

export function metadata(r: Resource): ValueMap {
  let md = r.obj.metadata;
  if (!isMap(md)) {
    md = newMap();
    r.obj.metadata = md;
  }
  return md;
}

/** Renames like kustomize's StorePreviousId + SetName/SetNamespace: the old id is remembered first. */
export function renameResource(
  r: Resource,
  change: { name?: string; namespace?: string; kind?: string },
): void {
  const before = currentId(r);
  const md = metadata(r);
  const nextName = change.name ?? before.name;
  const nextNs = change.namespace ?? before.namespace;
  const nextKind = change.kind ?? before.kind;
  if (nextName === before.name && nextNs === before.namespace && nextKind === before.kind) return;
  r.prevIds.push(before);
  if (change.name !== undefined) md.name = change.name;
  if (change.namespace !== undefined) md.namespace = change.namespace;
  if (change.kind !== undefined) r.obj.kind = change.kind;
}

/**
 * kustomize's StorePreviousId: remembers the current id even when the next step leaves it unchanged (the
 * namespace transformer does this for every object, which makes all of them name-reference candidates).
 * The namespace is stored as kustomize stores it, the effective one (`default` when empty).
 */
export function storePreviousId(r: Resource): void {
  const id = currentId(r);
  r.prevIds.push({ ...id, namespace: effectiveNamespace(id) });
}
