import type { Rule } from "../context.ts";
import { schemaResult } from "../schema-check.ts";

export const rule: Rule = {
  code: "CHK403",
  name: "no-schema",
  severity: "info",
  summary:
    "a kind with no schema to validate against (its CRD is not in the repository); reported once per kind",
  run(ctx, report) {
    for (const { o, broken } of schemaResult(ctx).unknownKinds) {
      const what = `${String(o.obj.apiVersion)} ${o.kind}`;
      report({
        message: broken
          ? `the schema of ${what} cannot be compiled (${broken}): its objects are not validated`
          : `no schema for ${what}: its objects are not validated`,
        at: ctx.positionIn(o.at, ["kind"]),
        hint: broken
          ? "The CustomResourceDefinition uses a construct the validator cannot read; its objects are applied unchecked."
          : "Add the CustomResourceDefinition to the repository to have its objects validated.",
      });
    }
  },
};
