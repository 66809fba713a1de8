import { chartSource } from "../chart-source.ts";
import type { Rule } from "../context.ts";

export const rule: Rule = {
  code: "CHK105",
  name: "chart-source-kind",
  severity: "error",
  summary:
    "a HelmRelease's `chartRef` is not an OCIRepository, HelmChart or ExternalArtifact, or its `chart.spec.sourceRef` not a HelmRepository, GitRepository or Bucket",
  run(ctx, report) {
    for (const hr of ctx.ofKind("HelmRelease", "helm.toolkit.fluxcd.io")) {
      const src = chartSource(hr);
      if (!src || src.allowed.includes(src.kind)) continue;
      const field = src.path.join(".");
      report({
        message: `HelmRelease ${hr.namespace || "default"}/${hr.name}: ${field}.kind is '${src.kind}', which helm-controller does not accept there`,
        at: ctx.positionIn(hr.at, [...src.path, "kind"]),
        hint: `${field}.kind must be one of ${src.allowed.join(", ")}.`,
      });
    }
  },
};
