import type { Rule } from "../context.ts";
import { schemaResult } from "../schema-check.ts";

export const rule: Rule = {
  code: "CHK401",
  name: "schema-violation",
  severity: "error",
  summary:
    "an object does not match its kind's schema (Kubernetes, Flux, or a CRD defined in the repository): wrong type, missing required field, value not allowed",
  run(ctx, report) {
    for (const { o, problems } of schemaResult(ctx).invalid) {
      for (const p of problems) {
        if (p.unknown || reportedElsewhere(o.kind, p.path)) continue;
        report({
          message: `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}: ${p.path.length ? `${p.path.join(".")}: ` : ""}${p.message}`,
          at: ctx.positionIn(o.at, p.path),
        });
      }
    }
  },
};

/** A HelmRelease chart reference of the wrong kind is CHK105's finding, with a better message. */
function reportedElsewhere(kind: string, path: (string | number)[]): boolean {
  const p = path.join(".");
  return kind === "HelmRelease" && (p === "spec.chartRef.kind" || p === "spec.chart.spec.sourceRef.kind");
}
