import type { Rule } from "../context.ts";
import { schemaResult } from "../schema-check.ts";

export const rule: Rule = {
  code: "CHK403",
  name: "no-schema",
  severity: "info",
  summary:
    "a kind with no schema to validate against (its CRD is not in the repository); reported once per kind",
  run(ctx, report) {
    for (const o of schemaResult(ctx).unknownKinds) {
      report({
        message: `no schema for ${String(o.obj.apiVersion)} ${o.kind}: its objects are not validated`,
        at: ctx.positionIn(o.at, ["kind"]),
        hint: "Add the CustomResourceDefinition to the repository to have its objects validated.",
      });
    }
  },
};
