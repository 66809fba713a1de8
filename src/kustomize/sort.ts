import { DEFAULT_ORDER_FIRST, DEFAULT_ORDER_LAST, type Gvk, gvkDotString, type ResId } from "./resid.ts";
import { currentId, type Resource } from "./resource.ts";

/** Go's `<` on strings: bytewise. Kinds and names are ASCII in practice; UTF-16 order equals it there. */
function goLess(a: string, b: string): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
}

function gvkSortString(g: Gvk): string {
  return `${g.group || "~G"}_${g.version || "~V"}_${g.kind || "~K"}`;
}

function idSortString(id: ResId): string {
  return `${gvkDotString(id)}|${id.namespace || "~X"}|${id.name || "~N"}`;
}

/** kustomize's legacy sort (SortOrderTransformer with `order: legacy`). */
export function legacySort(
  resources: readonly Resource[],
  orderFirst: readonly string[] = DEFAULT_ORDER_FIRST,
  orderLast: readonly string[] = DEFAULT_ORDER_LAST,
): Resource[] {
  const rank = new Map<string, number>();
  for (const [i, k] of orderFirst.entries()) rank.set(k, -orderFirst.length + i);
  for (const [i, k] of orderLast.entries()) rank.set(k, 1 + i);
  const keyed = resources.map((r) => ({ r, id: currentId(r) }));
  keyed.sort((x, y) => {
    const a = x.id;
    const b = y.id;
    const sameGvk = a.group === b.group && a.version === b.version && a.kind === b.kind;
    if (!sameGvk) {
      const ia = rank.get(a.kind) ?? 0;
      const ib = rank.get(b.kind) ?? 0;
      if (ia !== ib) return ia - ib;
      const sa = gvkSortString(a);
      const sb = gvkSortString(b);
      // kustomize puts a core Namespace after a grouped Namespace kind (its comparison is inverted there).
      if (a.kind === "Namespace" && b.kind === "Namespace" && (a.group === "" || b.group === "")) {
        return goLess(sb, sa) ? -1 : goLess(sa, sb) ? 1 : 0;
      }
      return goLess(sa, sb) ? -1 : goLess(sb, sa) ? 1 : 0;
    }
    const sa = idSortString(a);
    const sb = idSortString(b);
    return goLess(sa, sb) ? -1 : goLess(sb, sa) ? 1 : 0;
  });
  return keyed.map((k) => k.r);
}
