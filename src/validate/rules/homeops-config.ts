import type { Rule } from "../context.ts";

export const rule: Rule = {
  code: "CHK001",
  name: "homeops-config",
  severity: "error",
  summary: "`.homeops.yaml` does not match its schema (the rest of the check runs with the defaults)",
  run(ctx, report) {
    for (const p of ctx.configProblems) report(p);
  },
};
