import { loadYaml } from "../core/yaml/load.ts";
import { isMap, type Value } from "../core/yaml/value.ts";
import type { TransformContext } from "./context.ts";
import { type FieldSpec, gvkSelected } from "./fieldspec.ts";
import { type Gvk, gvkLess } from "./resid.ts";

/** kustomize's builtinconfig.NameBackReferences: the fields (`fieldSpecs`) that hold names of objects of one GVK. */
export interface NameBackReference {
  group?: string;
  version?: string;
  kind?: string;
  fieldSpecs: FieldSpec[];
}

/** kustomize's builtinconfig.TransformerConfig: which fields each built-in transformer touches. */
export interface TransformerConfig {
  namePrefix: FieldSpec[];
  nameSuffix: FieldSpec[];
  namespace: FieldSpec[];
  commonLabels: FieldSpec[];
  /** Only from user configurations: extra fields every `labels:` entry writes. */
  labels: FieldSpec[];
  templateLabels: FieldSpec[];
  commonAnnotations: FieldSpec[];
  nameReference: NameBackReference[];
  varReference: FieldSpec[];
  images: FieldSpec[];
  replicas: FieldSpec[];
}

type FsKey = Exclude<keyof TransformerConfig, "nameReference">;

const FS_KEYS: readonly FsKey[] = [
  "namePrefix",
  "nameSuffix",
  "namespace",
  "commonLabels",
  "labels",
  "templateLabels",
  "commonAnnotations",
  "varReference",
  "images",
  "replicas",
];

/** The error message prefix kustomize's TransformerConfig.Merge uses for each list. */
const MERGE_LABEL: Record<keyof TransformerConfig, string> = {
  namePrefix: "NamePrefix",
  nameSuffix: "NameSuffix",
  namespace: "NameSpace",
  commonLabels: "CommonLabels",
  labels: "Labels",
  templateLabels: "TemplateLabels",
  commonAnnotations: "CommonAnnotations",
  nameReference: "NameReference",
  varReference: "VarReference",
  images: "Images",
  replicas: "Replicas",
};

export function emptyTransformerConfig(): TransformerConfig {
  return {
    namePrefix: [],
    nameSuffix: [],
    namespace: [],
    commonLabels: [],
    labels: [],
    templateLabels: [],
    commonAnnotations: [],
    nameReference: [],
    varReference: [],
    images: [],
    replicas: [],
  };
}

let defaults: TransformerConfig | undefined;

/**
 * kustomize v5.5's built-in configuration (api/internal/konfig/builtinpluginconsts), parsed and sorted like
 * MakeDefaultConfig does. Returns a fresh copy each time so callers may mutate it.
 */
export function defaultTransformerConfig(): TransformerConfig {
  if (!defaults) {
    const parsed = parseTransformerConfig(loadYaml(DEFAULT_CONFIG_YAML, "builtin").docs[0]?.value ?? null);
    if (parsed.errors.length > 0) throw new Error(`built-in transformer config: ${parsed.errors.join("; ")}`);
    defaults = parsed.config;
  }
  return cloneConfig(defaults);
}

let sharedDefaults: TransformerConfig | undefined;

/** The built-in configuration as one shared instance: callers must not mutate it. */
export function sharedDefaultConfig(): TransformerConfig {
  sharedDefaults ??= defaultTransformerConfig();
  return sharedDefaults;
}

const mergeCache = new WeakMap<TransformerConfig, WeakMap<TransformerConfig, TransformerConfig>>();

function isEmptyConfig(c: TransformerConfig): boolean {
  return FS_KEYS.every((k) => c[k].length === 0) && c.nameReference.length === 0;
}

export function cloneConfig(c: TransformerConfig): TransformerConfig {
  const out = emptyTransformerConfig();
  for (const k of FS_KEYS) out[k] = c[k].map((fs) => ({ ...fs }));
  out.nameReference = c.nameReference.map((n) => ({
    ...n,
    fieldSpecs: n.fieldSpecs.map((fs) => ({ ...fs })),
  }));
  return out;
}

/**
 * Reads the content of one `configurations:` file (already parsed) like kustomize's
 * makeTransformerConfigFromBytes: strict (unknown fields are errors), then sorted. Problems are reported to
 * `ctx` and the offending entries skipped.
 */
export function loadTransformerConfig(doc: Value, ctx: TransformContext, file?: string): TransformerConfig {
  const { config, errors } = parseTransformerConfig(doc);
  const where = file ? ` in configuration file ${file}` : "";
  for (const e of errors)
    ctx.diags.error("KUS301", `invalid transformer configuration${where}: ${e}`, ctx.at);
  return config;
}

/** A user's configuration merged over the defaults, as MakeTransformerConfig builds a kustomization's config. */
export function makeTransformerConfig(
  userConfigs: readonly TransformerConfig[],
  ctx?: TransformContext,
): TransformerConfig {
  let merged = sharedDefaultConfig();
  if (userConfigs.length === 0) return merged;
  // loadDefaultConfig merges the files into an empty config first, then the defaults take that.
  let user = emptyTransformerConfig();
  for (const c of userConfigs) user = mergeTransformerConfig(user, c, ctx);
  merged = mergeTransformerConfig(merged, user, ctx);
  return merged;
}

/**
 * kustomize's TransformerConfig.Merge: every list of `b` merged into `a`'s (a field spec is dropped when one
 * already there is selected by its GVK with the same path; differing `create` is the "conflicting fieldspecs"
 * error), name references merged by equal GVK, then every list sorted by GVK.
 */
export function mergeTransformerConfig(
  a: TransformerConfig,
  b: TransformerConfig,
  ctx?: TransformContext,
): TransformerConfig {
  // Every kustomization of a build merges the same configs again; configs are never mutated after they are
  // made, so a merge is computed once per pair and a merge that adds nothing returns `a` itself.
  if (a === b || isEmptyConfig(b)) return a;
  // Every config is kept sorted, so merging into an empty one yields the other as it is.
  if (isEmptyConfig(a)) return b;
  const cached = mergeCache.get(a)?.get(b);
  if (cached) return cached;
  let conflicts = 0;
  const out = emptyTransformerConfig();
  const report = (key: keyof TransformerConfig) => (msg: string) => {
    conflicts++;
    ctx?.diags.error("KUS302", `failed to merge ${MERGE_LABEL[key]} fieldSpec: ${msg}`, ctx.at);
  };
  for (const k of FS_KEYS) out[k] = mergeFieldSpecs(a[k], b[k], report(k));
  out.nameReference = mergeNameReferences(a.nameReference, b.nameReference, report("nameReference"));
  const grew =
    FS_KEYS.some((k) => out[k].length !== a[k].length) ||
    out.nameReference.length !== a.nameReference.length ||
    out.nameReference.some((n, i) => n.fieldSpecs.length !== a.nameReference[i]?.fieldSpecs.length);
  const result = grew ? out : a;
  if (grew) sortConfig(out);
  if (conflicts === 0) {
    let inner = mergeCache.get(a);
    if (!inner) {
      inner = new WeakMap();
      mergeCache.set(a, inner);
    }
    inner.set(b, result);
  }
  return result;
}

/** FsSlice.MergeAll. `onConflict` gets kustomize's error; the existing spec is kept then. */
export function mergeFieldSpecs(
  base: readonly FieldSpec[],
  incoming: readonly FieldSpec[],
  onConflict?: (msg: string) => void,
): FieldSpec[] {
  const out = base.map((fs) => ({ ...fs }));
  // Index by path: configs hold hundreds of specs and are merged for every kustomization.
  const byPath = new Map<string, FieldSpec[]>();
  for (const fs of out) {
    const list = byPath.get(fs.path);
    if (list) list.push(fs);
    else byPath.set(fs.path, [fs]);
  }
  for (const x of incoming) {
    const found = byPath.get(x.path)?.find((s) => gvkSelected(fsGvk(s), x));
    if (found) {
      if ((found.create === true) !== (x.create === true)) onConflict?.("conflicting fieldspecs");
      continue;
    }
    const copy = { ...x };
    out.push(copy);
    const list = byPath.get(copy.path);
    if (list) list.push(copy);
    else byPath.set(copy.path, [copy]);
  }
  return out;
}

function mergeNameReferences(
  base: readonly NameBackReference[],
  incoming: readonly NameBackReference[],
  onConflict: (msg: string) => void,
): NameBackReference[] {
  let out = base.map((n) => ({ ...n, fieldSpecs: n.fieldSpecs.map((fs) => ({ ...fs })) }));
  for (const other of incoming) {
    let found = false;
    out = out.map((c) => {
      if (!gvkEquals(fsGvk(c), fsGvk(other))) return c;
      found = true;
      return { ...c, fieldSpecs: mergeFieldSpecs(c.fieldSpecs, other.fieldSpecs, onConflict) };
    });
    if (!found) out.push({ ...other, fieldSpecs: other.fieldSpecs.map((fs) => ({ ...fs })) });
  }
  return out;
}

function fsGvk(x: { group?: string; version?: string; kind?: string }): Gvk {
  return { group: x.group ?? "", version: x.version ?? "", kind: x.kind ?? "" };
}

function gvkEquals(a: Gvk, b: Gvk): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

/**
 * sortFields: Go's sort.Sort by Gvk.IsLessThan. Go's sort is not stable for long lists; a stable sort is used
 * here, which differs only in the order of specs with equal GVKs, which never changes a transformer's result.
 */
function sortConfig(c: TransformerConfig): void {
  const cmp = (x: Gvk, y: Gvk) => (gvkLess(x, y) ? -1 : gvkLess(y, x) ? 1 : 0);
  for (const k of FS_KEYS) c[k].sort((x, y) => cmp(fsGvk(x), fsGvk(y)));
  c.nameReference.sort((x, y) => cmp(fsGvk(x), fsGvk(y)));
}

const TOP_KEYS = new Set<string>([...FS_KEYS, "nameReference"]);

/** Decodes a configuration document with UnmarshalStrict's rules; returns what was readable and the errors. */
export function parseTransformerConfig(doc: Value): { config: TransformerConfig; errors: string[] } {
  const config = emptyTransformerConfig();
  const errors: string[] = [];
  if (doc === null) return { config, errors };
  if (!isMap(doc)) {
    errors.push("the document must be a mapping");
    return { config, errors };
  }
  for (const [key, v] of Object.entries(doc)) {
    if (!TOP_KEYS.has(key)) {
      errors.push(`unknown field "${key}"`);
      continue;
    }
    if (v === null) continue;
    if (!Array.isArray(v)) {
      errors.push(`field "${key}" must be a list`);
      continue;
    }
    if (key === "nameReference") {
      v.forEach((item, i) => {
        const nbr = parseNameBackReference(item, `nameReference[${i}]`, errors);
        if (nbr) config.nameReference.push(nbr);
      });
    } else {
      const list = config[key as FsKey];
      v.forEach((item, i) => {
        const fs = parseFieldSpec(item, `${key}[${i}]`, errors);
        if (fs) list.push(fs);
      });
    }
  }
  sortConfig(config);
  return { config, errors };
}

const GVK_KEYS = ["group", "version", "kind"] as const;

/** Reads one field spec (`group`, `version`, `kind`, `path`, `create`), strictly. */
export function parseFieldSpec(v: Value, where: string, errors: string[]): FieldSpec | undefined {
  if (v === null) return { path: "" };
  if (!isMap(v)) {
    errors.push(`${where} must be a mapping`);
    return undefined;
  }
  const fs: FieldSpec = { path: "" };
  let ok = true;
  for (const [k, x] of Object.entries(v)) {
    if (k === "path" || (GVK_KEYS as readonly string[]).includes(k)) {
      if (x === null) continue;
      if (typeof x !== "string") {
        errors.push(`${where}.${k} must be a string`);
        ok = false;
        continue;
      }
      if (x === "") continue;
      if (k === "path") fs.path = x;
      else fs[k as (typeof GVK_KEYS)[number]] = x;
    } else if (k === "create") {
      if (x === null) continue;
      if (typeof x !== "boolean") {
        errors.push(`${where}.create must be true or false`);
        ok = false;
        continue;
      }
      if (x) fs.create = true;
    } else {
      errors.push(`unknown field "${k}" in ${where}`);
      ok = false;
    }
  }
  return ok ? fs : undefined;
}

function parseNameBackReference(v: Value, where: string, errors: string[]): NameBackReference | undefined {
  if (v === null) return { fieldSpecs: [] };
  if (!isMap(v)) {
    errors.push(`${where} must be a mapping`);
    return undefined;
  }
  const nbr: NameBackReference = { fieldSpecs: [] };
  let ok = true;
  for (const [k, x] of Object.entries(v)) {
    if ((GVK_KEYS as readonly string[]).includes(k)) {
      if (x === null || x === "") continue;
      if (typeof x !== "string") {
        errors.push(`${where}.${k} must be a string`);
        ok = false;
        continue;
      }
      nbr[k as (typeof GVK_KEYS)[number]] = x;
    } else if (k === "fieldSpecs") {
      if (x === null) continue;
      if (!Array.isArray(x)) {
        errors.push(`${where}.fieldSpecs must be a list`);
        ok = false;
        continue;
      }
      x.forEach((item, i) => {
        const fs = parseFieldSpec(item, `${where}.fieldSpecs[${i}]`, errors);
        if (fs) nbr.fieldSpecs.push(fs);
        else ok = false;
      });
    } else {
      errors.push(`unknown field "${k}" in ${where}`);
      ok = false;
    }
  }
  return ok ? nbr : undefined;
}

// The built-in configuration of kustomize v5.5 (api/internal/konfig/builtinpluginconsts/*.go), joined in the
// order GetDefaultFieldSpecs joins them. Kept as YAML so it can be compared with the Go sources line by line.
const METADATA_LABELS = `
- path: metadata/labels
  create: true
- path: spec/template/metadata/labels
  create: true
  version: v1
  kind: ReplicationController
- path: spec/template/metadata/labels
  create: true
  kind: Deployment
- path: spec/template/metadata/labels
  create: true
  kind: ReplicaSet
- path: spec/template/metadata/labels
  create: true
  kind: DaemonSet
- path: spec/template/metadata/labels
  create: true
  group: apps
  kind: StatefulSet
- path: spec/volumeClaimTemplates[]/metadata/labels
  create: true
  group: apps
  kind: StatefulSet
- path: spec/template/metadata/labels
  create: true
  group: batch
  kind: Job
- path: spec/jobTemplate/metadata/labels
  create: true
  group: batch
  kind: CronJob
- path: spec/jobTemplate/spec/template/metadata/labels
  create: true
  group: batch
  kind: CronJob
`;

function podAffinitySelectors(kind: string): string {
  return [
    "podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm",
    "podAffinity/requiredDuringSchedulingIgnoredDuringExecution",
    "podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm",
    "podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution",
  ]
    .map((p) => `spec/template/spec/affinity/${p}/labelSelector/matchLabels`)
    .concat(["spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels"])
    .map((p) => `- path: ${p}\n  create: false\n  group: apps\n  kind: ${kind}\n`)
    .join("");
}

const COMMON_LABELS = `
commonLabels:
- path: spec/selector
  create: true
  version: v1
  kind: Service
- path: spec/selector
  create: true
  version: v1
  kind: ReplicationController
- path: spec/selector/matchLabels
  create: true
  kind: Deployment
${podAffinitySelectors("Deployment")}- path: spec/selector/matchLabels
  create: true
  kind: ReplicaSet
- path: spec/selector/matchLabels
  create: true
  kind: DaemonSet
- path: spec/selector/matchLabels
  create: true
  group: apps
  kind: StatefulSet
${podAffinitySelectors("StatefulSet")}- path: spec/selector/matchLabels
  create: false
  group: batch
  kind: Job
- path: spec/jobTemplate/spec/selector/matchLabels
  create: false
  group: batch
  kind: CronJob
- path: spec/selector/matchLabels
  create: false
  group: policy
  kind: PodDisruptionBudget
- path: spec/podSelector/matchLabels
  create: false
  group: networking.k8s.io
  kind: NetworkPolicy
- path: spec/ingress/from/podSelector/matchLabels
  create: false
  group: networking.k8s.io
  kind: NetworkPolicy
- path: spec/egress/to/podSelector/matchLabels
  create: false
  group: networking.k8s.io
  kind: NetworkPolicy
${METADATA_LABELS}`;

const TEMPLATE_LABELS = `
templateLabels:
${METADATA_LABELS}`;

const COMMON_ANNOTATIONS = `
commonAnnotations:
- path: metadata/annotations
  create: true
- path: spec/template/metadata/annotations
  create: true
  version: v1
  kind: ReplicationController
- path: spec/template/metadata/annotations
  create: true
  kind: Deployment
- path: spec/template/metadata/annotations
  create: true
  kind: ReplicaSet
- path: spec/template/metadata/annotations
  create: true
  kind: DaemonSet
- path: spec/template/metadata/annotations
  create: true
  kind: StatefulSet
- path: spec/template/metadata/annotations
  create: true
  group: batch
  kind: Job
- path: spec/jobTemplate/metadata/annotations
  create: true
  group: batch
  kind: CronJob
- path: spec/jobTemplate/spec/template/metadata/annotations
  create: true
  group: batch
  kind: CronJob
`;

const NAMESPACE = `
namespace:
- path: metadata/name
  kind: Namespace
  create: true
- path: spec/service/namespace
  group: apiregistration.k8s.io
  kind: APIService
  create: true
- path: spec/conversion/webhook/clientConfig/service/namespace
  group: apiextensions.k8s.io
  kind: CustomResourceDefinition
`;

/** varreference.go: one spec per (kind, path); the list is long but regular. */
function varReferenceYaml(): string {
  const pod = (pre: string) => [
    `${pre}containers/args`,
    `${pre}containers/command`,
    `${pre}containers/env/value`,
    `${pre}containers/volumeMounts/mountPath`,
    `${pre}initContainers/args`,
    `${pre}initContainers/command`,
    `${pre}initContainers/env/value`,
    `${pre}initContainers/volumeMounts/mountPath`,
  ];
  const rows: [string, string][] = [];
  const add = (kind: string, paths: string[]) => {
    for (const p of paths) rows.push([p, kind]);
  };
  add("CronJob", [
    ...pod("spec/jobTemplate/spec/template/spec/"),
    "spec/jobTemplate/spec/template/volumes/nfs/server",
  ]);
  add("DaemonSet", [...pod("spec/template/spec/"), "spec/template/spec/volumes/nfs/server"]);
  add("Deployment", [
    ...pod("spec/template/spec/"),
    "spec/template/spec/volumes/nfs/server",
    "spec/template/metadata/annotations",
  ]);
  add("Ingress", ["spec/rules/host", "spec/tls/hosts", "spec/tls/secretName"]);
  add("Job", [...pod("spec/template/spec/"), "spec/template/spec/volumes/nfs/server"]);
  add("Pod", [...pod("spec/"), "spec/volumes/nfs/server"]);
  add("ReplicaSet", [...pod("spec/template/spec/"), "spec/template/spec/volumes/nfs/server"]);
  add("Service", ["spec/ports/port", "spec/ports/targetPort"]);
  add("StatefulSet", [...pod("spec/template/spec/"), "spec/volumeClaimTemplates/spec/nfs/server"]);
  add("PersistentVolume", ["spec/nfs/server"]);
  const lines = rows.map(([p, k]) => `- path: ${p}\n  kind: ${k}\n`).join("");
  return `\nvarReference:\n${lines}- path: metadata/labels\n- path: metadata/annotations\n`;
}

/** The pod-spec name references of ConfigMaps and Secrets, per workload kind, in namereference.go's order. */
function podRefs(kind: "ConfigMap" | "Secret"): string {
  const vol = kind === "ConfigMap" ? "configMap/name" : "secret/secretName";
  const keyRef = kind === "ConfigMap" ? "configMapKeyRef" : "secretKeyRef";
  const envRef = kind === "ConfigMap" ? "configMapRef" : "secretRef";
  const proj = kind === "ConfigMap" ? "configMap" : "secret";
  const body = (pre: string, withPull: boolean) => [
    `${pre}volumes/${vol}`,
    `${pre}containers/env/valueFrom/${keyRef}/name`,
    `${pre}initContainers/env/valueFrom/${keyRef}/name`,
    `${pre}containers/envFrom/${envRef}/name`,
    `${pre}initContainers/envFrom/${envRef}/name`,
    ...(withPull ? [`${pre}imagePullSecrets/name`] : []),
    `${pre}volumes/projected/sources/${proj}/name`,
  ];
  const secret = kind === "Secret";
  const out: string[] = [];
  for (const p of body("spec/", secret)) out.push(`  - path: ${p}\n    version: v1\n    kind: Pod\n`);
  for (const p of body("template/spec/", secret)) out.push(`  - path: ${p}\n    kind: PodTemplate\n`);
  for (const k of ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job"]) {
    for (const p of body("spec/template/spec/", secret)) out.push(`  - path: ${p}\n    kind: ${k}\n`);
  }
  const cj = "spec/jobTemplate/spec/template/spec/";
  const cronPaths = [
    `${cj}volumes/${vol}`,
    `${cj}volumes/projected/sources/${proj}/name`,
    `${cj}containers/env/valueFrom/${keyRef}/name`,
    `${cj}initContainers/env/valueFrom/${keyRef}/name`,
    `${cj}containers/envFrom/${envRef}/name`,
    `${cj}initContainers/envFrom/${envRef}/name`,
    ...(secret ? [`${cj}imagePullSecrets/name`] : []),
  ];
  for (const p of cronPaths) out.push(`  - path: ${p}\n    kind: CronJob\n`);
  return out.join("");
}

function workloadRefs(pathAfterPodSpec: string, podVersion: boolean): string {
  const rows: [string, string][] = [
    [`spec/${pathAfterPodSpec}`, "Pod"],
    [`spec/template/spec/${pathAfterPodSpec}`, "StatefulSet"],
    [`spec/template/spec/${pathAfterPodSpec}`, "Deployment"],
    [`spec/template/spec/${pathAfterPodSpec}`, "ReplicationController"],
    [`spec/jobTemplate/spec/template/spec/${pathAfterPodSpec}`, "CronJob"],
    [`spec/template/spec/${pathAfterPodSpec}`, "Job"],
    [`spec/template/spec/${pathAfterPodSpec}`, "DaemonSet"],
  ];
  return rows
    .map(
      ([p, k]) => `  - path: ${p}\n${podVersion && k === "Pod" ? "    version: v1\n" : ""}    kind: ${k}\n`,
    )
    .join("");
}

const NAME_REFERENCE = `
nameReference:
- kind: Deployment
  fieldSpecs:
  - path: spec/scaleTargetRef/name
    kind: HorizontalPodAutoscaler
- kind: ReplicationController
  fieldSpecs:
  - path: spec/scaleTargetRef/name
    kind: HorizontalPodAutoscaler
- kind: ReplicaSet
  fieldSpecs:
  - path: spec/scaleTargetRef/name
    kind: HorizontalPodAutoscaler
- kind: StatefulSet
  fieldSpecs:
  - path: spec/scaleTargetRef/name
    kind: HorizontalPodAutoscaler
- kind: ConfigMap
  version: v1
  fieldSpecs:
${podRefs("ConfigMap")}  - path: spec/configSource/configMap
    kind: Node
  - path: rules/resourceNames
    kind: Role
  - path: rules/resourceNames
    kind: ClusterRole
  - path: metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap
    kind: Ingress
- kind: Secret
  version: v1
  fieldSpecs:
${podRefs("Secret")}  - path: spec/tls/secretName
    kind: Ingress
  - path: metadata/annotations/ingress.kubernetes.io\\/auth-secret
    kind: Ingress
  - path: metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret
    kind: Ingress
  - path: metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret
    kind: Ingress
  - path: spec/tls/secretName
    kind: Ingress
  - path: imagePullSecrets/name
    kind: ServiceAccount
  - path: parameters/secretName
    kind: StorageClass
  - path: parameters/adminSecretName
    kind: StorageClass
  - path: parameters/userSecretName
    kind: StorageClass
  - path: parameters/secretRef
    kind: StorageClass
  - path: rules/resourceNames
    kind: Role
  - path: rules/resourceNames
    kind: ClusterRole
  - path: spec/template/spec/containers/env/valueFrom/secretKeyRef/name
    kind: Service
    group: serving.knative.dev
    version: v1
  - path: spec/azureFile/secretName
    kind: PersistentVolume
- kind: Service
  version: v1
  fieldSpecs:
  - path: spec/serviceName
    kind: StatefulSet
    group: apps
  - path: spec/rules/http/paths/backend/serviceName
    kind: Ingress
  - path: spec/backend/serviceName
    kind: Ingress
  - path: spec/rules/http/paths/backend/service/name
    kind: Ingress
  - path: spec/defaultBackend/service/name
    kind: Ingress
  - path: spec/service/name
    kind: APIService
    group: apiregistration.k8s.io
  - path: webhooks/clientConfig/service
    kind: ValidatingWebhookConfiguration
    group: admissionregistration.k8s.io
  - path: webhooks/clientConfig/service
    kind: MutatingWebhookConfiguration
    group: admissionregistration.k8s.io
- kind: Role
  group: rbac.authorization.k8s.io
  fieldSpecs:
  - path: roleRef/name
    kind: RoleBinding
    group: rbac.authorization.k8s.io
- kind: ClusterRole
  group: rbac.authorization.k8s.io
  fieldSpecs:
  - path: roleRef/name
    kind: RoleBinding
    group: rbac.authorization.k8s.io
  - path: roleRef/name
    kind: ClusterRoleBinding
    group: rbac.authorization.k8s.io
- kind: ServiceAccount
  version: v1
  fieldSpecs:
  - path: subjects
    kind: RoleBinding
    group: rbac.authorization.k8s.io
  - path: subjects
    kind: ClusterRoleBinding
    group: rbac.authorization.k8s.io
  - path: spec/serviceAccountName
    kind: Pod
  - path: spec/template/spec/serviceAccountName
    kind: StatefulSet
  - path: spec/template/spec/serviceAccountName
    kind: Deployment
  - path: spec/template/spec/serviceAccountName
    kind: ReplicationController
  - path: spec/jobTemplate/spec/template/spec/serviceAccountName
    kind: CronJob
  - path: spec/template/spec/serviceAccountName
    kind: Job
  - path: spec/template/spec/serviceAccountName
    kind: DaemonSet
- kind: PersistentVolumeClaim
  version: v1
  fieldSpecs:
${workloadRefs("volumes/persistentVolumeClaim/claimName", false)}- kind: PersistentVolume
  version: v1
  fieldSpecs:
  - path: spec/volumeName
    kind: PersistentVolumeClaim
  - path: rules/resourceNames
    kind: ClusterRole
- kind: StorageClass
  version: v1
  group: storage.k8s.io
  fieldSpecs:
  - path: spec/storageClassName
    kind: PersistentVolume
  - path: spec/storageClassName
    kind: PersistentVolumeClaim
  - path: spec/volumeClaimTemplates/spec/storageClassName
    kind: StatefulSet
- kind: PriorityClass
  version: v1
  group: scheduling.k8s.io
  fieldSpecs:
${workloadRefs("priorityClassName", false)}- kind: IngressClass
  version: v1
  group: networking.k8s.io/v1
  fieldSpecs:
  - path: spec/ingressClassName
    kind: Ingress
- kind: ValidatingAdmissionPolicy
  group: admissionregistration.k8s.io
  fieldSpecs:
  - path: spec/policyName
    kind: ValidatingAdmissionPolicyBinding
    group: admissionregistration.k8s.io
`;

const IMAGES = `
images:
- path: spec/containers[]/image
  create: true
- path: spec/initContainers[]/image
  create: true
- path: spec/template/spec/containers[]/image
  create: true
- path: spec/template/spec/initContainers[]/image
  create: true
`;

const REPLICAS = `
replicas:
- path: spec/replicas
  create: true
  kind: Deployment
- path: spec/replicas
  create: true
  kind: ReplicationController
- path: spec/replicas
  create: true
  kind: ReplicaSet
- path: spec/replicas
  create: true
  kind: StatefulSet
`;

const DEFAULT_CONFIG_YAML = [
  "\nnamePrefix:\n- path: metadata/name\n",
  "\nnameSuffix:\n- path: metadata/name\n",
  COMMON_LABELS,
  TEMPLATE_LABELS,
  COMMON_ANNOTATIONS,
  NAMESPACE,
  varReferenceYaml(),
  NAME_REFERENCE,
  IMAGES,
  REPLICAS,
].join("\n");
