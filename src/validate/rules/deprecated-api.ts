import type { Rule } from "../context.ts";
import { fluxServedVersion } from "../schemas.ts";

export const rule: Rule = {
  code: "CHK304",
  name: "deprecated-api",
  severity: "warning",
  summary:
    "a Flux object uses an API version current Flux no longer serves (e.g. helm.toolkit.fluxcd.io/v2beta1)",
  run(ctx, report) {
    for (const o of ctx.objects) {
      const current = fluxServedVersion(o.group, o.kind);
      const apiVersion = typeof o.obj.apiVersion === "string" ? o.obj.apiVersion : "";
      if (!current || current === apiVersion) continue;
      report({
        message: `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name} uses ${apiVersion}, which current Flux no longer serves`,
        at: ctx.positionIn(o.at, ["apiVersion"]),
        hint: `Migrate to ${current} (see the Flux upgrade notes for renamed fields).`,
      });
    }
  },
};
