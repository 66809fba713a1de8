import k8s from "./schemas/kubernetes.json" with { type: "json" };

/** The built-in Kubernetes kinds that are cluster-scoped (by group, any version), as of Kubernetes v1.36. */
const CLUSTER_SCOPED = new Set([
  "/Namespace",
  "/Node",
  "/PersistentVolume",
  "/ComponentStatus",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/MutatingAdmissionPolicy",
  "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "apiregistration.k8s.io/APIService",
  "certificates.k8s.io/CertificateSigningRequest",
  "certificates.k8s.io/ClusterTrustBundle",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "internal.apiserver.k8s.io/StorageVersion",
  "networking.k8s.io/IngressClass",
  "networking.k8s.io/IPAddress",
  "networking.k8s.io/ServiceCIDR",
  "networking.k8s.io/ClusterCIDR",
  "node.k8s.io/RuntimeClass",
  "policy/PodSecurityPolicy",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "resource.k8s.io/DeviceClass",
  "resource.k8s.io/DeviceTaintRule",
  "resource.k8s.io/ResourceSlice",
  "resource.k8s.io/ResourceClass",
  "scheduling.k8s.io/PriorityClass",
  "storage.k8s.io/CSIDriver",
  "storage.k8s.io/CSINode",
  "storage.k8s.io/StorageClass",
  "storage.k8s.io/VolumeAttachment",
  "storage.k8s.io/VolumeAttributesClass",
  "storagemigration.k8s.io/StorageVersionMigration",
]);

const BUILTIN = new Set(Object.keys(k8s.kinds));

export function groupOfApiVersion(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? "" : apiVersion.slice(0, i);
}

/** Whether a built-in kind is cluster-scoped; undefined for kinds Kubernetes itself does not define. */
export function isClusterScoped(apiVersion: string, kind: string): boolean | undefined {
  if (CLUSTER_SCOPED.has(`${groupOfApiVersion(apiVersion)}/${kind}`)) return true;
  return BUILTIN.has(`${apiVersion} ${kind}`) ? false : undefined;
}
