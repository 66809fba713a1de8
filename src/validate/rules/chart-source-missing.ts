import { chartSource } from "../chart-source.ts";
import type { Rule } from "../context.ts";
import { sourceExists } from "../lookup.ts";

export const rule: Rule = {
  code: "CHK104",
  name: "chart-source-missing",
  severity: "error",
  summary:
    "a HelmRelease's `chartRef` or `chart.spec.sourceRef` names a source that the cluster does not have",
  run(ctx, report) {
    for (const hr of ctx.ofKind("HelmRelease", "helm.toolkit.fluxcd.io")) {
      const src = chartSource(hr);
      if (!src?.allowed.includes(src.kind)) continue;
      if (sourceExists(ctx, hr.ks.cluster, src.kind, src.namespace, src.name)) continue;
      report({
        message: `HelmRelease ${hr.namespace || "default"}/${hr.name} takes its chart from ${src.kind} ${src.namespace}/${src.name}, which no Kustomization of cluster '${hr.ks.cluster}' creates`,
        at: ctx.positionIn(hr.at, [...src.path, "name"]),
        hint: "Fix the reference (its namespace defaults to the HelmRelease's own), or add the source.",
      });
    }
  },
};
