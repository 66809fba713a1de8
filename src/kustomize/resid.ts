import { isMap, type ValueMap } from "../core/yaml/value.ts";

/** Group/version/kind as kustomize's resid.Gvk. */
export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface ResId extends Gvk {
  name: string;
  /** Empty for cluster-scoped objects and for namespaced ones without a namespace. */
  namespace: string;
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  // kyaml's ParseGroupVersion splits at the first slash.
  const i = apiVersion.indexOf("/");
  return i < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function apiVersionOf(gvk: Gvk): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

export function gvkOf(obj: ValueMap): Gvk {
  const av = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  const { group, version } = parseApiVersion(av);
  return { group, version, kind: typeof obj.kind === "string" ? obj.kind : "" };
}

export function idOf(obj: ValueMap): ResId {
  const md = isMap(obj.metadata) ? obj.metadata : undefined;
  const namespace = md && typeof md.namespace === "string" ? md.namespace : "";
  return { ...gvkOf(obj), name: nameOf(obj), namespace };
}

/** metadata.name, or "" (the name part of idOf, without making the whole id). */
export function nameOf(obj: ValueMap): string {
  const md = obj.metadata;
  return isMap(md) && typeof md.name === "string" ? md.name : "";
}

/** kustomize's Gvk.String(): `group_version_kind` with `~G`, `~V`, `~K` for empty parts. */
export function gvkString(g: Gvk): string {
  return `${g.group || "~G"}_${g.version || "~V"}_${g.kind || "~K"}`;
}

/** kyaml's Gvk.String(): `kind.version.group` with placeholders for empty parts. */
export function gvkDotString(g: Gvk): string {
  return `${g.kind || "[noKind]"}.${g.version || "[noVer]"}.${g.group || "[noGrp]"}`;
}

/** kustomize's ResId.String(): `kind.version.group/name.namespace` as in its error messages. */
export function idString(id: ResId): string {
  return `${gvkDotString(id)}/${id.name || "[noName]"}.${id.namespace || "[noNs]"}`;
}

/** Kind/name display for humans, e.g. `ConfigMap/default/app`. */
export function idDisplay(id: ResId): string {
  return id.namespace ? `${id.kind}/${id.namespace}/${id.name}` : `${id.kind}/${id.name}`;
}

/**
 * kyaml's precomputed namespace-scope table (kyaml v0.18.1 `openapi.precomputedIsNamespaceScoped`, the one
 * kustomize v5.5 uses): the built-in types that are cluster-scoped, keyed by exact `apiVersion` and kind.
 * Anything else, every CRD kind and built-in kinds at another apiVersion included, counts as namespaced
 * (`IsCertainlyClusterScoped` is false for unknown types).
 */
const CLUSTER_SCOPED = new Set<string>([
  "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration",
  "apiextensions.k8s.io/v1 CustomResourceDefinition",
  "apiextensions.k8s.io/v1beta1 CustomResourceDefinition",
  "apiregistration.k8s.io/v1 APIService",
  "apiregistration.k8s.io/v1beta1 APIService",
  "certificates.k8s.io/v1 CertificateSigningRequest",
  "certificates.k8s.io/v1beta1 CertificateSigningRequest",
  "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema",
  "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration",
  "networking.k8s.io/v1 IngressClass",
  "networking.k8s.io/v1beta1 IngressClass",
  "node.k8s.io/v1 RuntimeClass",
  "node.k8s.io/v1beta1 RuntimeClass",
  "policy/v1beta1 PodSecurityPolicy",
  "rbac.authorization.k8s.io/v1 ClusterRole",
  "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
  "rbac.authorization.k8s.io/v1beta1 ClusterRole",
  "rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding",
  "scheduling.k8s.io/v1 PriorityClass",
  "scheduling.k8s.io/v1beta1 PriorityClass",
  "storage.k8s.io/v1 CSIDriver",
  "storage.k8s.io/v1 CSINode",
  "storage.k8s.io/v1 StorageClass",
  "storage.k8s.io/v1 VolumeAttachment",
  "storage.k8s.io/v1beta1 CSIDriver",
  "storage.k8s.io/v1beta1 CSINode",
  "storage.k8s.io/v1beta1 StorageClass",
  "storage.k8s.io/v1beta1 VolumeAttachment",
  "v1 ComponentStatus",
  "v1 Namespace",
  "v1 Node",
  "v1 NodeProxyOptions",
  "v1 PersistentVolume",
]);

/** kyaml's `Gvk.IsClusterScoped()` (via `openapi.IsCertainlyClusterScoped`). */
export function isClusterScoped(gvk: Gvk): boolean {
  return CLUSTER_SCOPED.has(`${apiVersionOf(gvk)} ${gvk.kind}`);
}

/** kyaml's `Gvk.IsLessThan`, the order kustomize sorts field specs and name references in. */
export function gvkLess(a: Gvk, b: Gvk): boolean {
  const ia = TYPE_ORDER.get(a.kind) ?? 0;
  const ib = TYPE_ORDER.get(b.kind) ?? 0;
  if (ia !== ib) return ia < ib;
  return goStringLess(gvkString(a), gvkString(b));
}

/** kustomize's legacy kind order: these kinds first, in this order… */
export const DEFAULT_ORDER_FIRST: readonly string[] = [
  "Namespace",
  "ResourceQuota",
  "StorageClass",
  "CustomResourceDefinition",
  "ServiceAccount",
  "PodSecurityPolicy",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "ConfigMap",
  "Secret",
  "Endpoints",
  "Service",
  "LimitRange",
  "PriorityClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Deployment",
  "StatefulSet",
  "CronJob",
  "PodDisruptionBudget",
];
/** …and these last. */
export const DEFAULT_ORDER_LAST: readonly string[] = [
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
];

const TYPE_ORDER = (() => {
  const first = DEFAULT_ORDER_FIRST;
  const last = DEFAULT_ORDER_LAST;
  const m = new Map<string, number>();
  for (const [i, k] of first.entries()) m.set(k, -first.length + i);
  for (const [i, k] of last.entries()) m.set(k, 1 + i);
  return m;
})();

/** Go's `<` on strings compares bytes. */
function goStringLess(a: string, b: string): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
}

export function sameId(a: ResId, b: ResId): boolean {
  return (
    a.group === b.group &&
    a.version === b.version &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.namespace === b.namespace
  );
}

/** kustomize's resid.TotallyNotANamespace: what cluster-scoped objects compare by. */
export const NON_NAMESPACEABLE = "_non_namespaceable_";

/**
 * ResId.EffectiveNamespace: cluster-scoped kinds have none, an empty namespace means `default`.
 * kustomize stores previous ids with this namespace already applied, so applying it again to one is harmless.
 */
export function effectiveNamespace(id: ResId): string {
  if (isClusterScoped(id)) return NON_NAMESPACEABLE;
  return id.namespace === "" ? "default" : id.namespace;
}

/** ResId.Equals: same group, version, kind and name, and the same effective namespace. */
export function idEquals(a: ResId, b: ResId): boolean {
  return (
    a.group === b.group &&
    a.version === b.version &&
    a.kind === b.kind &&
    a.name === b.name &&
    effectiveNamespace(a) === effectiveNamespace(b)
  );
}
