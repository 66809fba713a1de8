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
  const i = apiVersion.lastIndexOf("/");
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
  const name = md && typeof md.name === "string" ? md.name : "";
  const namespace = md && typeof md.namespace === "string" ? md.namespace : "";
  return { ...gvkOf(obj), name, namespace };
}

/** kustomize's Gvk.String(): `group_version_kind` with `~G`, `~V`, `~K` for empty parts. */
export function gvkString(g: Gvk): string {
  return `${g.group || "~G"}_${g.version || "~V"}_${g.kind || "~K"}`;
}

/** kustomize's ResId.String(): `kind.version.group/name.namespace` as in its error messages. */
export function idString(id: ResId): string {
  const gvk = [id.kind, id.version, id.group].filter((s) => s !== "").join(".");
  return `${gvk}/${id.name}.${id.namespace || "[noNs]"}`;
}

/** Kind/name display for humans, e.g. `ConfigMap/default/app`. */
export function idDisplay(id: ResId): string {
  return id.namespace ? `${id.kind}/${id.namespace}/${id.name}` : `${id.kind}/${id.name}`;
}

/**
 * Built-in kinds kyaml's OpenAPI knows to be cluster-scoped. Everything else (every CRD kind too) is treated
 * as namespaced by kustomize's namespace transformer.
 */
const CLUSTER_SCOPED = new Set<string>([
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "apiregistration.k8s.io/APIService",
  "authentication.k8s.io/TokenReview",
  "authentication.k8s.io/SelfSubjectReview",
  "authorization.k8s.io/SelfSubjectAccessReview",
  "authorization.k8s.io/SelfSubjectRulesReview",
  "authorization.k8s.io/SubjectAccessReview",
  "certificates.k8s.io/CertificateSigningRequest",
  "certificates.k8s.io/ClusterTrustBundle",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "networking.k8s.io/IngressClass",
  "networking.k8s.io/IPAddress",
  "networking.k8s.io/ServiceCIDR",
  "node.k8s.io/RuntimeClass",
  "policy/PodSecurityPolicy",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "scheduling.k8s.io/PriorityClass",
  "storage.k8s.io/CSIDriver",
  "storage.k8s.io/CSINode",
  "storage.k8s.io/StorageClass",
  "storage.k8s.io/VolumeAttachment",
  "storage.k8s.io/VolumeAttributesClass",
  "resource.k8s.io/DeviceClass",
  "resource.k8s.io/ResourceSlice",
  "extensions/PodSecurityPolicy",
  "/ComponentStatus",
  "/Namespace",
  "/Node",
  "/PersistentVolume",
]);

export function isClusterScoped(gvk: Gvk): boolean {
  return CLUSTER_SCOPED.has(`${gvk.group}/${gvk.kind}`);
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

/** ResId.EffectiveNamespace: cluster-scoped kinds have none, an empty namespace means `default`. */
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
