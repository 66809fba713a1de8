import type { Rule } from "../context.ts";
import { schemaResult } from "../schema-check.ts";

export const rule: Rule = {
  code: "CHK402",
  name: "unknown-field",
  severity: "warning",
  summary:
    "a field a custom resource's schema does not declare (a typo, or a field of another API version): the API server drops or rejects it",
  run(ctx, report) {
    for (const { o, problems } of schemaResult(ctx).invalid) {
      for (const p of problems) {
        if (!p.unknown) continue;
        report({
          message: `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}: unknown field ${p.path.join(".")}`,
          at: ctx.keyPositionIn(o.at, p.path),
          hint: "Check the spelling and the API version's reference documentation.",
        });
      }
    }
  },
};
