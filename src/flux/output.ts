import { diagnostic } from "../core/diagnostics.ts";
import { diagnosticJson } from "../core/print-diagnostics.ts";
import { EmitTexts, emitYamlPieces } from "../core/yaml/emit.ts";
import { goJsonMarshal } from "../core/yaml/go-json.ts";
import type { Value } from "../core/yaml/value.ts";
import { metaName, metaNamespace } from "./objects.ts";
import type { RepoRender } from "./render.ts";

/**
 * `-o yaml`: every object as kustomize prints it, grouped under a comment naming its Flux Kustomization;
 * Kustomizations in cluster, namespace, name order. An object that cannot be written (a control character, a
 * non-finite number: kustomize fails on those too) becomes a comment and a diagnostic in `r.diagnostics`.
 */
export function renderYaml(r: RepoRender): string {
  return [...renderYamlParts(r)].join("");
}

/**
 * renderYaml in pieces, one per object, printed as they are asked for, to be written out one after another:
 * joining first would copy the whole output once more (as UTF-16 as soon as one character needs it), and
 * keeping every piece until the end would make the garbage collector copy them all. Objects that cannot be
 * written are added to `r.diagnostics` as their pieces come.
 */
export function* renderYamlParts(r: RepoRender): Generator<string, void, undefined> {
  const texts = new EmitTexts();
  for (const ks of r.kustomizations) {
    const head = `# Kustomization ${ks.namespace}/${ks.name} (cluster ${ks.cluster}, path ${ks.path || "."}, ${ks.objects.length} object${ks.objects.length === 1 ? "" : "s"})\n`;
    if (ks.objects.length === 0) {
      yield `---\n${head}`;
      continue;
    }
    for (let i = 0; i < ks.objects.length; i++) {
      const o = ks.objects[i] as (typeof ks.objects)[number];
      let pieces: string[];
      try {
        pieces = emitYamlPieces(o, texts);
      } catch (e) {
        const what = `${String(o.kind)} ${metaNamespace(o) ? `${metaNamespace(o)}/` : ""}${metaName(o)}`;
        r.diagnostics.push(
          diagnostic(
            "KUS050",
            "error",
            `${what} of Kustomization ${ks.namespace}/${ks.name} cannot be written: ${(e as Error).message}`,
            ks.origin,
            "Remove control characters and non-finite numbers (.inf, .nan) from the object.",
          ),
        );
        pieces = [`# ${what}: cannot be written (${(e as Error).message})\n`];
      }
      yield `---\n${i === 0 ? head : ""}${pieces[0]}`;
      for (let j = 1; j < pieces.length; j++) yield pieces[j] as string;
    }
  }
}

/** `-o json`: the structure the library returns, with objects in Go's key order. */
export function renderJson(r: RepoRender): string {
  const kustomizations = r.kustomizations.map((k) => ({
    cluster: k.cluster,
    namespace: k.namespace,
    name: k.name,
    path: k.path,
    sourceRef: k.sourceRef,
    dependsOn: k.dependsOn,
    objects: k.objects.map((o) => {
      try {
        return JSON.parse(goJsonMarshal(o as Value)) as unknown;
      } catch (e) {
        r.diagnostics.push(
          diagnostic(
            "KUS050",
            "error",
            `${String(o.kind)} ${metaName(o)} of Kustomization ${k.namespace}/${k.name} cannot be written: ${(e as Error).message}`,
            k.origin,
            "Remove non-finite numbers (.inf, .nan) from the object.",
          ),
        );
        return null;
      }
    }),
  }));
  const doc = {
    clusters: r.clusters,
    kustomizations,
    helmReleases: r.helmReleases.map((h) => ({ ...h, chart: JSON.parse(goJsonMarshal(h.chart)) as unknown })),
    diagnostics: r.diagnostics.map(diagnosticJson),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
