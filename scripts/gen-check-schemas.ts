/**
 * Generates the schemas `homeops check` ships (src/validate/schemas/):
 * - kubernetes.json: the built-in kinds, from kustomize's union bundle of the Kubernetes OpenAPI definitions
 *   (kubernetes-sigs/kustomize kyaml/openapi/kubernetesapi/data/kubernetes-openapi-union.bundle-v1.json.gz,
 *   Apache-2.0; Kubernetes v1.21–v1.36), descriptions dropped;
 * - flux.json: the openAPIV3Schema of every version of the Flux CRDs, from the controllers' config/crd/bases.
 *
 * Usage: tsx scripts/gen-check-schemas.ts <union-bundle.json> <crd.yaml>...
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const DROP = new Set(["description", "example", "x-kubernetes-list-type", "x-kubernetes-validations"]);

/** Drops documentation and keywords that only matter to the API server's merge logic. */
function compact(v: Json): Json {
  if (Array.isArray(v)) return v.map(compact);
  if (v === null || typeof v !== "object") return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (DROP.has(k) || k.startsWith("x-kubernetes-list-") || k.startsWith("x-kubernetes-map-")) continue;
    if (k === "x-kubernetes-patch-strategy" || k === "x-kubernetes-patch-merge-key") continue;
    if (k === "x-kubernetes-unions") continue;
    // `properties` maps field names to schemas: field names such as "description" are kept.
    out[k] =
      k === "properties" && x && typeof x === "object" && !Array.isArray(x) ? compactProps(x) : compact(x);
  }
  return out;
}

function compactProps(props: Obj): Obj {
  const out: Obj = {};
  for (const [k, x] of Object.entries(props)) out[k] = compact(x);
  return out;
}

const [bundleFile, ...crdFiles] = process.argv.slice(2);
if (!bundleFile) {
  console.error("usage: gen-check-schemas <union-bundle.json> <crd.yaml>...");
  process.exit(2);
}
const outDir = path.resolve(import.meta.dirname, "..", "src", "validate", "schemas");
fs.mkdirSync(outDir, { recursive: true });

const bundle = JSON.parse(fs.readFileSync(bundleFile, "utf8")) as {
  coverage: Obj;
  sources: { kubernetesVersion: string }[];
  definitions: Record<string, Obj>;
  resources: { apiVersion: string; kind: string; definition: string }[];
};
const kinds: Record<string, string> = {};
for (const r of bundle.resources) {
  const def = bundle.definitions[r.definition];
  // Only objects one writes to a repository: kinds whose definition declares them (not List, Status, options).
  const gvks = (def?.["x-kubernetes-group-version-kind"] ?? []) as Obj[];
  const [group, version] = r.apiVersion.includes("/") ? r.apiVersion.split("/") : ["", r.apiVersion];
  const own = gvks.some((g) => g.kind === r.kind && g.group === group && g.version === version);
  if (!own || r.definition.startsWith("io.k8s.apimachinery.") || r.kind.endsWith("List")) continue;
  if (/Review$|^(Eviction|Scale|Binding|TokenRequest|EphemeralContainers)$/.test(r.kind)) continue;
  kinds[`${r.apiVersion} ${r.kind}`] = r.definition;
}
// Keep the definitions the kinds reach.
const keep = new Set<string>();
const visit = (name: string): void => {
  if (keep.has(name)) return;
  keep.add(name);
  const walk = (v: Json): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k === "$ref" && typeof x === "string") visit(x.replace("#/definitions/", ""));
        else walk(x);
      }
  };
  walk(bundle.definitions[name] ?? null);
};
for (const d of Object.values(kinds)) visit(d);
const definitions: Record<string, Json> = {};
for (const name of [...keep].sort()) definitions[name] = compact(bundle.definitions[name] ?? {});
const k8s = {
  source:
    "kubernetes-sigs/kustomize kyaml/openapi/kubernetesapi/data/kubernetes-openapi-union.bundle-v1.json.gz (Apache-2.0)",
  coverage: bundle.coverage,
  kinds: Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : 1))),
  definitions,
};
fs.writeFileSync(path.join(outDir, "kubernetes.json"), `${JSON.stringify(k8s)}\n`);

const crds: Record<string, Json> = {};
const sources: string[] = [];
for (const file of crdFiles) {
  for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
    const crd = doc.toJS() as Obj | null;
    if (crd?.kind !== "CustomResourceDefinition") continue;
    const spec = crd.spec as Obj;
    const group = spec.group as string;
    const kind = (spec.names as Obj).kind as string;
    sources.push(`${group}/${kind}`);
    for (const v of spec.versions as Obj[]) {
      const schema = (v.schema as Obj | undefined)?.openAPIV3Schema;
      if (!schema) continue;
      crds[`${group}/${v.name} ${kind}`] = {
        scope: spec.scope as string,
        deprecated: v.deprecated === true,
        served: v.served !== false,
        schema: compact(schema),
      };
    }
  }
}
const flux = {
  source: "openAPIV3Schema of the fluxcd controllers' config/crd/bases (Apache-2.0)",
  crds: Object.fromEntries(Object.entries(crds).sort(([a], [b]) => (a < b ? -1 : 1))),
};
fs.writeFileSync(path.join(outDir, "flux.json"), `${JSON.stringify(flux)}\n`);
console.log(
  `kubernetes.json: ${Object.keys(kinds).length} kinds, ${keep.size} definitions; flux.json: ${Object.keys(crds).length} versions of ${sources.length} CRDs`,
);
