import type { Rule } from "../context.ts";
import { duplicates, producedBy } from "../duplicates.ts";

export const rule: Rule = {
  code: "CHK301",
  name: "duplicate-object",
  severity: "error",
  summary:
    "the same object is produced twice with different content, by one Kustomization or by two: one silently overwrites the other",
  run(ctx, report) {
    for (const d of duplicates(ctx)) {
      if (d.identical) continue;
      report({
        message: `${d.what} is produced ${producedBy(d)}, with different content`,
        at: ctx.positionIn(d.again.at, ["metadata", "name"]),
        hint: `The other one comes from ${d.first.at.file}:${d.first.at.line}; keep one definition (or give them different names).`,
      });
    }
  },
};
