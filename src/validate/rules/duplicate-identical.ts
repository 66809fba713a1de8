import type { Rule } from "../context.ts";
import { duplicates, producedBy } from "../duplicates.ts";

export const rule: Rule = {
  code: "CHK305",
  name: "duplicate-identical",
  severity: "warning",
  summary:
    "the same object, with the same content, is applied by several Kustomizations: they take its ownership from each other, and pruning one removes it",
  run(ctx, report) {
    for (const d of duplicates(ctx)) {
      if (!d.identical || d.first.ks === d.again.ks) continue;
      report({
        message: `${d.what} is applied ${producedBy(d)} (same content, labels and annotations aside)`,
        at: ctx.positionIn(d.again.at, ["metadata", "name"]),
        hint: `The other one comes from ${d.first.at.file}:${d.first.at.line}; apply it from one Kustomization (a shared one the others dependsOn), or name each copy after its app.`,
      });
    }
  },
};
