import type { Diagnostics, Position } from "../core/diagnostics.ts";
import { idEquals, idString, nameOf, type ResId } from "./resid.ts";
import { allIds, currentId, type Resource } from "./resource.ts";

/** kustomize's resWrangler: resources in accumulation order, unique by current id. */
export class ResMap {
  list: Resource[] = [];

  /** Append, refusing a second object with the same current id (kustomize's Append). */
  append(r: Resource, diags: Diagnostics, at?: Position): boolean {
    const id = currentId(r);
    // Names first: equal ids need equal names, and the whole id of every listed object is costly to make.
    const clash = this.list.find((x) => nameOf(x.obj) === id.name && idEquals(currentId(x), id));
    if (clash) {
      diags.error(
        "KUS021",
        `may not add resource with an already registered id: ${idString(id)}`,
        at ?? r.origin,
        `The same object is also defined at ${clash.origin.file}:${clash.origin.line}; remove one, or patch it instead of redefining it.`,
      );
      return false;
    }
    this.list.push(r);
    return true;
  }

  /** Resources any of whose ids (previous or current) equals `id` (GetMatchingResourcesByAnyId). */
  byAnyId(id: ResId): Resource[] {
    return this.list.filter((r) => allIds(r).some((x) => idEquals(x, id)));
  }

  byCurrentId(id: ResId): Resource[] {
    return this.list.filter((r) => idEquals(currentId(r), id));
  }

  replace(old: Resource, next: Resource): void {
    const i = this.list.indexOf(old);
    if (i >= 0) this.list[i] = next;
  }

  remove(r: Resource): void {
    const i = this.list.indexOf(r);
    if (i >= 0) this.list.splice(i, 1);
  }
}
