import { diagnosticJson } from "../core/print-diagnostics.ts";
import { emitYaml } from "../core/yaml/emit.ts";
import { goJsonMarshal } from "../core/yaml/go-json.ts";
import type { Value } from "../core/yaml/value.ts";
import type { RepoRender } from "./render.ts";

/**
 * `-o yaml`: every object as kustomize prints it, grouped under a comment naming its Flux Kustomization;
 * Kustomizations in cluster, namespace, name order.
 */
export function renderYaml(r: RepoRender): string {
  const parts: string[] = [];
  for (const ks of r.kustomizations) {
    const head = `# Kustomization ${ks.namespace}/${ks.name} (cluster ${ks.cluster}, path ${ks.path || "."}, ${ks.objects.length} object${ks.objects.length === 1 ? "" : "s"})\n`;
    if (ks.objects.length === 0) {
      parts.push(`---\n${head}`);
      continue;
    }
    ks.objects.forEach((o, i) => {
      parts.push(`---\n${i === 0 ? head : ""}${emitYaml(o)}`);
    });
  }
  return parts.join("");
}

/** `-o json`: the structure the library returns, with objects in Go's key order. */
export function renderJson(r: RepoRender): string {
  const doc = {
    clusters: r.clusters,
    kustomizations: r.kustomizations.map((k) => ({
      cluster: k.cluster,
      namespace: k.namespace,
      name: k.name,
      path: k.path,
      sourceRef: k.sourceRef,
      dependsOn: k.dependsOn,
      objects: k.objects.map((o) => JSON.parse(goJsonMarshal(o as Value)) as unknown),
    })),
    helmReleases: r.helmReleases.map((h) => ({ ...h, chart: JSON.parse(goJsonMarshal(h.chart)) as unknown })),
    diagnostics: r.diagnostics.map(diagnosticJson),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
