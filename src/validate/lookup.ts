import type { Position } from "../core/diagnostics.ts";
import { getPath, isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import { metaName, metaNamespace, str } from "../flux/objects.ts";
import type { RenderedKustomization } from "../flux/render.ts";
import type { CheckContext, CheckedObject } from "./context.ts";

/** What makes a ConfigMap or Secret exist in the cluster. */
export type Provider =
  | { via: "object"; at: Position; o: CheckedObject }
  | { via: "bootstrap"; file: string }
  | { via: "operator"; kind: string; at: Position };

const bootstrap = new WeakMap<CheckContext, Map<string, string>>();
const roots = new WeakMap<CheckContext, Set<RenderedKustomization>>();

/**
 * ConfigMaps and Secrets written in repository files that no Kustomization builds (applied by hand at bootstrap,
 * like `cluster-secrets.sops.yaml`), by `Kind/namespace/name` (`*` for a document without a namespace).
 */
function bootstrapObjects(ctx: CheckContext): Map<string, string> {
  let m = bootstrap.get(ctx);
  if (m) return m;
  m = new Map();
  for (const file of ctx.yamlFiles()) {
    const text = ctx.fs.tryReadRel(file);
    if (!text || !/kind:\s*["']?(ConfigMap|Secret)\b/.test(text)) continue;
    for (const d of ctx.load(file)?.docs ?? []) {
      const o = d.value;
      if (!isMap(o) || o.apiVersion !== "v1" || (o.kind !== "ConfigMap" && o.kind !== "Secret")) continue;
      // Without a namespace, whatever applies the file decides it (kubectl -n, a bootstrap kustomization).
      const key = `${o.kind}/${metaNamespace(o) || "*"}/${metaName(o)}`;
      if (!m.has(key)) m.set(key, file);
    }
  }
  bootstrap.set(ctx, m);
  return m;
}

/**
 * Where a ConfigMap or Secret that a reference names comes from: an object a Kustomization applies, an operator
 * object that creates it (ExternalSecret, SealedSecret, OnePasswordItem, cert-manager Certificate), or a
 * bootstrap file. Undefined when nothing in the repository makes it.
 */
export function findProvider(
  ctx: CheckContext,
  cluster: string,
  kind: string,
  namespace: string,
  name: string,
): Provider | undefined {
  const own = ctx
    .ofKind(kind, "")
    .find((o) => o.ks.cluster === cluster && o.name === name && (o.namespace || "default") === namespace);
  if (own) return { via: "object", at: own.at, o: own };
  if (kind === "Secret") {
    for (const [k, target] of SECRET_MAKERS) {
      for (const o of ctx.ofKind(k)) {
        if (o.ks.cluster === cluster && (o.namespace || "default") === namespace && target(o.obj) === name)
          return { via: "operator", kind: k, at: o.at };
      }
    }
  }
  const boot = bootstrapObjects(ctx);
  const file = boot.get(`${kind}/${namespace}/${name}`) ?? boot.get(`${kind}/*/${name}`);
  return file ? { via: "bootstrap", file } : undefined;
}

/** Kinds whose objects create a Secret, and the name of that Secret. */
const SECRET_MAKERS: [string, (o: ValueMap) => string][] = [
  ["ExternalSecret", (o) => str(getPath(o, ["spec", "target", "name"])) || metaName(o)],
  ["SealedSecret", (o) => str(getPath(o, ["spec", "template", "metadata", "name"])) || metaName(o)],
  ["OnePasswordItem", (o) => metaName(o)],
  ["Certificate", (o) => str(getPath(o, ["spec", "secretName"]))],
  ["PushSecret", () => ""],
];

/** The list at a path as its mapping entries with their indices (non-mappings skipped). */
export function entries(v: Value | undefined, path: readonly string[]): [number, ValueMap][] {
  const list = getPath(v, path);
  if (!Array.isArray(list)) return [];
  const out: [number, ValueMap][] = [];
  list.forEach((x, i) => {
    if (isMap(x)) out.push([i, x]);
  });
  return out;
}

/**
 * Rendered Kustomizations that are cluster roots: the ones bootstrap (or a FluxInstance) creates.
 */
export function rootKustomizations(ctx: CheckContext): Set<RenderedKustomization> {
  const cached = roots.get(ctx);
  if (cached) return cached;
  // The render lists each cluster's root first.
  const found = new Set<RenderedKustomization>();
  const clusters = new Set<string>();
  for (const k of ctx.render.kustomizations) {
    if (clusters.has(k.cluster)) continue;
    clusters.add(k.cluster);
    found.add(k);
  }
  roots.set(ctx, found);
  return found;
}

/** Whether the cluster has the Flux source a reference names (ExternalArtifacts: an ArtifactGenerator makes it). */
export function sourceExists(
  ctx: CheckContext,
  cluster: string,
  kind: string,
  namespace: string,
  name: string,
): boolean {
  if (kind === "ExternalArtifact") {
    for (const g of ctx.ofKind("ArtifactGenerator")) {
      if (g.ks.cluster !== cluster || (g.namespace || "default") !== namespace) continue;
      if (entries(g.obj, ["spec", "artifacts"]).some(([, a]) => a.name === name)) return true;
    }
  }
  const found = ctx
    .ofKind(kind)
    .some(
      (o) =>
        o.ks.cluster === cluster &&
        (o.group === "source.toolkit.fluxcd.io" || o.group === "source.extensions.fluxcd.io") &&
        o.name === name &&
        (o.namespace || "default") === namespace,
    );
  if (found) return true;
  // The source bootstrap or a FluxInstance made for a cluster root.
  for (const root of rootKustomizations(ctx)) {
    const r = root.sourceRef;
    if (root.cluster === cluster && r.kind === kind && r.namespace === namespace && r.name === name)
      return true;
  }
  return false;
}

/** A Flux Kustomization of a cluster: rendered, or only seen as an object (its source is not this repository). */
export interface FluxKs {
  cluster: string;
  namespace: string;
  name: string;
  spec: ValueMap;
  at: Position;
  /** The render of it, when it was rendered. */
  rendered: RenderedKustomization | undefined;
}

const fluxKsCache = new WeakMap<CheckContext, FluxKs[]>();

/**
 * Every Flux Kustomization of every cluster once: the roots bootstrap creates, then each one some Kustomization
 * applies, whether or not it could be rendered here.
 */
export function fluxKustomizations(ctx: CheckContext): FluxKs[] {
  const cached = fluxKsCache.get(ctx);
  if (cached) return cached;
  const out: FluxKs[] = [];
  const seen = new Set<string>();
  const rendered = new Map(
    ctx.render.kustomizations.map((k) => [`${k.cluster}\0${k.namespace}/${k.name}`, k]),
  );
  for (const r of rootKustomizations(ctx)) {
    seen.add(`${r.cluster}\0${r.namespace}/${r.name}`);
    out.push({
      cluster: r.cluster,
      namespace: r.namespace,
      name: r.name,
      spec: r.spec,
      at: r.origin,
      rendered: r,
    });
  }
  for (const o of ctx.ofKind("Kustomization", "kustomize.toolkit.fluxcd.io")) {
    const namespace = o.namespace || "default";
    const key = `${o.ks.cluster}\0${namespace}/${o.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const spec = isMap(o.obj.spec) ? o.obj.spec : ({} as ValueMap);
    out.push({ cluster: o.ks.cluster, namespace, name: o.name, spec, at: o.at, rendered: rendered.get(key) });
  }
  fluxKsCache.set(ctx, out);
  return out;
}
