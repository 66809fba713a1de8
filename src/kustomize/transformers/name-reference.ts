import { isMap, type Value, type ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { type FieldSpec, FieldSpecError, gvkSelected, visitField } from "../fieldspec.ts";
import { effectiveNamespace, type Gvk, idString, isClusterScoped, NON_NAMESPACEABLE } from "../resid.ts";
import { currentId, originalId, type Resource } from "../resource.ts";
import type { TransformerConfig } from "../transformer-config.ts";

interface Pending {
  spec: FieldSpec;
  /** The GVK of the objects the field names (the name reference's own GVK). */
  target: Gvk;
}

/**
 * kustomize's FixBackReferences (api/internal/accumulator/namereferencetransformer.go + api/filters/nameref): after
 * every rename of the build (prefix/suffix, namespace, hash suffix, patches), each field that the config's
 * nameReference entries list as naming an object of some kind is pointed at that object's current name (and, for
 * `{name, namespace}` maps, namespace). Only renamed objects can be targets: candidates are matched by a
 * previous name. Fields naming objects outside the build are left alone. Ambiguity is an error unless all the
 * remaining candidates ended up with the same name.
 */
export function fixNameReferences(
  resources: readonly Resource[],
  config: TransformerConfig,
  ctx: TransformContext,
): void {
  const orgIds = resources.map(originalId);
  // Most field specs name a kind: only the resources of that kind are looked at (in the same order).
  const all = resources.map((_, i) => i);
  const byKind = new Map<string, number[]>();
  orgIds.forEach((id, i) => {
    const list = byKind.get(id.kind);
    if (list) list.push(i);
    else byKind.set(id.kind, [i]);
  });
  // determineFilters: per referrer (selected by its original id), the fields in config order.
  const work = new Map<Resource, Pending[]>();
  for (const nbr of config.nameReference) {
    const target: Gvk = { group: nbr.group ?? "", version: nbr.version ?? "", kind: nbr.kind ?? "" };
    for (const spec of nbr.fieldSpecs) {
      for (const i of spec.kind ? (byKind.get(spec.kind) ?? []) : all) {
        if (!gvkSelected(orgIds[i] as Gvk, spec)) continue;
        const r = resources[i] as Resource;
        let list = work.get(r);
        if (!list) {
          list = [];
          work.set(r, list);
        }
        list.push({ spec, target });
      }
    }
  }
  // Ids do not change during this pass: their scope is worked out once, not once per referrer.
  const scopes = resources.map((r) => {
    const id = currentId(r);
    return { clusterScoped: isClusterScoped(id), effective: effectiveNamespace(id), namespace: id.namespace };
  });
  for (const [referrer, pending] of work) {
    const candidates = subsetReferencedBy(referrer, resources, scopes, ctx);
    if (!candidates) continue;
    for (const p of pending) {
      const f = new RefFilter(referrer, p, candidates, ctx);
      try {
        // The field spec's GVK was matched on the original id; the walk never creates anything.
        visitField(referrer.obj, { path: p.spec.path }, undefined, (holder, key) => f.set(holder, key));
      } catch (e) {
        if (!(e instanceof RefError || e instanceof FieldSpecError)) throw e;
        ctx.diags.error(
          "KUS341",
          `updating name reference in '${p.spec.path}' field of '${idString(currentId(referrer))}': ${e.message}`,
          referrer.origin,
          e instanceof RefError ? e.hint : undefined,
        );
      }
    }
  }
}

class RefError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * SubsetThatCouldBeReferencedByResource: a cluster-scoped referrer may name anything; a namespaced one names
 * cluster-scoped objects, objects of its own namespace, and (for a RoleBinding) objects in the namespaces of its
 * ServiceAccount subjects.
 */
function subsetReferencedBy(
  referrer: Resource,
  resources: readonly Resource[],
  scopes: readonly { clusterScoped: boolean; effective: string; namespace: string }[],
  ctx: TransformContext,
): Resource[] | undefined {
  const refId = currentId(referrer);
  if (isClusterScoped(refId)) return [...resources];
  const rbNamespaces = new Set<string>();
  if (refId.kind === "RoleBinding" && Array.isArray(referrer.obj.subjects)) {
    for (const s of referrer.obj.subjects) {
      if (!isMap(s) || !Object.hasOwn(s, "namespace") || !Object.hasOwn(s, "kind")) continue;
      if (s.kind !== "ServiceAccount") continue;
      if (typeof s.namespace !== "string") {
        ctx.diags.error(
          "KUS342",
          `Invalid Input: namespace is blank for resource "${idString(refId)}"`,
          referrer.origin,
        );
        return undefined;
      }
      rbNamespaces.add(s.namespace);
    }
  }
  const refNs = effectiveNamespace(refId);
  return resources.filter((_, i) => {
    const sc = scopes[i]!;
    return sc.clusterScoped || sc.effective === refNs || rbNamespaces.has(sc.namespace);
  });
}

/** One nameref.Filter: a referrer, one of its name fields, the kind it names, and the candidate targets. */
class RefFilter {
  constructor(
    readonly referrer: Resource,
    readonly pending: Pending,
    readonly candidates: readonly Resource[],
    readonly ctx: TransformContext,
  ) {}

  set(holder: ValueMap, key: string): void {
    const node = holder[key];
    if (node === null || node === undefined) return;
    if (isMap(node)) {
      this.setMapping(node);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((el, i) => {
        if (el === null) return;
        if (isMap(el)) this.setMapping(el);
        else if (Array.isArray(el))
          throw new RefError("each element is expected to be either a string or a map of string");
        else this.setScalar(node, i);
      });
      return;
    }
    this.setScalar(holder, key);
  }

  private setScalar(holder: ValueMap | Value[], key: string | number): void {
    const old = scalarText((holder as Record<string | number, Value>)[key] ?? null);
    const referral = this.selectReferral(old, this.candidates, allNamesSame);
    if (!referral) return;
    const name = currentId(referral).name;
    if (name === old) return;
    (holder as Record<string | number, Value>)[key] = name;
  }

  private setMapping(node: ValueMap): void {
    if (!Object.hasOwn(node, "name")) throw new RefError("path config error; no 'name' field in node");
    const candidates = this.mapCandidatesByNamespace(node);
    const old = scalarText(node.name ?? null);
    const referral = this.selectReferral(old, candidates, allNamesAndNamespacesSame);
    if (!referral) return;
    const { name, namespace } = currentId(referral);
    if (name === old && namespace === "") return;
    node.name = name;
    if (namespace === "") return;
    node.namespace = namespace;
  }

  /** filterMapCandidatesByNamespace: a `namespace` next to the name picks by original, then current, namespace. */
  private mapCandidatesByNamespace(node: ValueMap): readonly Resource[] {
    if (!Object.hasOwn(node, "namespace")) return this.candidates;
    const ns = scalarText(node.namespace ?? null);
    const byOrg = this.candidates.filter((c) => nsKey(effectiveNamespace(originalId(c))) === ns);
    if (byOrg.length > 0) return byOrg;
    return this.candidates.filter((c) => nsKey(effectiveNamespace(currentId(c))) === ns);
  }

  private selectReferral(
    oldName: string,
    all: readonly Resource[],
    identical: (rs: readonly Resource[]) => boolean,
  ): Resource | undefined {
    const target = this.pending.target;
    let cs = all.filter((r) => r.prevIds.some((id) => id.name === oldName));
    cs = cs.filter((r) => r.prevIds.some((id) => gvkSelected(id, target)));
    const roleRef = this.roleRefGvk();
    if (roleRef) cs = cs.filter((r) => r.prevIds.some((id) => gvkSelected(id, roleRef)));
    cs = cs.filter(this.sameNamespaceAsReferrer());
    if (cs.length === 1) return cs[0];
    cs = cs.filter((r) => prefixesSuffixesEqual(r, this.referrer, true));
    if (cs.length > 1) cs = cs.filter((r) => prefixesSuffixesEqual(r, this.referrer, false));
    if (cs.length === 1) return cs[0];
    if (cs.length === 0) return undefined;
    if (identical(cs)) return cs[0];
    throw new RefError(
      `found multiple possible referrals: ${cs.map((c) => idString(currentId(c))).join(", ")}`,
      "Several objects of that kind had this name before renaming; give them distinct names or prefixes.",
    );
  }

  /** roleRefFilter: for `roleRef/name` fields, the roleRef's apiGroup and kind must match too. */
  private roleRefGvk(): { group: string; kind: string } | undefined {
    if (!this.pending.spec.path.endsWith("roleRef/name")) return undefined;
    const roleRef = this.referrer.obj.roleRef;
    if (!isMap(roleRef)) return undefined;
    const { apiGroup, kind } = roleRef;
    if (apiGroup === undefined || apiGroup === null || kind === undefined || kind === null) return undefined;
    return { group: scalarText(apiGroup), kind: scalarText(kind) };
  }

  /** sameCurrentNamespaceAsReferrer: cluster-scoped targets and ServiceAccounts are always acceptable. */
  private sameNamespaceAsReferrer(): (r: Resource) => boolean {
    const refId = currentId(this.referrer);
    if (isClusterScoped(refId)) return () => true;
    const refNs = effectiveNamespace(refId);
    return (r) => {
      const id = currentId(r);
      return isClusterScoped(id) || id.kind === "ServiceAccount" || effectiveNamespace(id) === refNs;
    };
  }
}

/** GroupedByOriginal/CurrentNamespace drop the cluster-scoped group. */
function nsKey(ns: string): string | undefined {
  return ns === NON_NAMESPACEABLE ? undefined : ns;
}

/** The text of a YAML scalar as kustomize compares it (a number's digits, `true`, ...). */
function scalarText(v: Value): string {
  if (typeof v === "string") return v;
  if (v === null) return "";
  return String(v);
}

function allNamesSame(rs: readonly Resource[]): boolean {
  const name = currentId(rs[0]!).name;
  return rs.every((r) => currentId(r).name === name);
}

function allNamesAndNamespacesSame(rs: readonly Resource[]): boolean {
  const { name, namespace } = currentId(rs[0]!);
  return rs.every((r) => {
    const id = currentId(r);
    return id.name === name && id.namespace === namespace;
  });
}

/** Resource.PrefixesSuffixesEquals; with allowEmpty an object without prefixes (or suffixes) matches any. */
function prefixesSuffixesEqual(r: Resource, o: Resource, allowEmpty: boolean): boolean {
  const rp = r.namePrefixes ?? [];
  const op = o.namePrefixes ?? [];
  const rs = r.nameSuffixes ?? [];
  const os = o.nameSuffixes ?? [];
  if (allowEmpty) {
    const eitherPrefixEmpty = rp.length === 0 || op.length === 0;
    const eitherSuffixEmpty = rs.length === 0 || os.length === 0;
    return (eitherPrefixEmpty || sameEnding(rp, op)) && (eitherSuffixEmpty || sameEnding(rs, os));
  }
  return sameEnding(rp, op) && sameEnding(rs, os);
}

/** utils.SameEndingSubSlice: the shorter list equals the end of the longer; an empty list only matches empty. */
function sameEnding(a: readonly string[], b: readonly string[]): boolean {
  const [shortest, longest] = a.length > b.length ? [b, a] : [a, b];
  const diff = longest.length - shortest.length;
  if (shortest.length === 0) return diff === 0;
  for (let i = shortest.length - 1; i >= 0; i--) if (longest[i + diff] !== shortest[i]) return false;
  return true;
}
