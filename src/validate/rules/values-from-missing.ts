import { str } from "../../flux/objects.ts";
import type { Rule } from "../context.ts";
import { entries, findProvider } from "../lookup.ts";

export const rule: Rule = {
  code: "CHK106",
  name: "values-from-missing",
  severity: "error",
  summary:
    "a HelmRelease's `valuesFrom` names a ConfigMap or Secret that nothing in the repository creates (and is not optional)",
  run(ctx, report) {
    for (const hr of ctx.ofKind("HelmRelease", "helm.toolkit.fluxcd.io")) {
      const ns = hr.namespace || "default";
      for (const [i, v] of entries(hr.obj, ["spec", "valuesFrom"])) {
        if (v.optional === true) continue;
        const kind = str(v.kind);
        if (kind !== "ConfigMap" && kind !== "Secret") continue;
        if (findProvider(ctx, hr.ks.cluster, kind, ns, str(v.name))) continue;
        report({
          message: `HelmRelease ${ns}/${hr.name} reads values from ${kind} ${ns}/${str(v.name)}, which nothing in the repository creates`,
          at: ctx.positionIn(hr.at, ["spec", "valuesFrom", i, "name"]),
          hint: "Add the object (in the HelmRelease's namespace), fix the name, or mark the entry optional: true.",
        });
      }
    }
  },
};
