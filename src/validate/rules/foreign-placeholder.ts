// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the messages show envsubst syntax
import { ksKey } from "../../flux/objects.ts";
import type { Rule } from "../context.ts";
import { isDefaultOp, substitutionRefs } from "../substitution.ts";

export const rule: Rule = {
  code: "CHK202",
  name: "foreign-placeholder",
  severity: "warning",
  summary:
    "a `${…}` that belongs to Grafana, a shell script or a Helm template, which Flux will substitute silently (a default, or non-strict mode)",
  run(ctx, report) {
    for (const ref of substitutionRefs(ctx)) {
      if (!ref.foreign) continue;
      const ks = ref.o.ks;
      const unset = !(ks.variables && ref.name in ks.variables);
      // Unset without default fails in strict mode: that is CHK201's error, with the same advice.
      const silent = isDefaultOp(ref.op) ? unset : unset && !ctx.options.strictSubstitute;
      if (!silent) continue;
      report({
        message: `\${${ref.name}${ref.op}…} looks like ${ref.foreign}, but Kustomization ${ksKey(ks)} substitutes it before it gets there`,
        at: ref.at,
        hint: `Write $\${…} to keep the expression as is, or annotate the object with kustomize.toolkit.fluxcd.io/substitute: disabled.`,
      });
    }
  },
};
