import type { Rule } from "../context.ts";

export const rule: Rule = {
  code: "CHK302",
  name: "missing-namespace",
  severity: "error",
  summary:
    "a namespaced object has no namespace after rendering (no metadata.namespace, kustomization namespace or targetNamespace)",
  run(ctx, report) {
    for (const o of ctx.objects) {
      if (o.namespace || !o.kind) continue;
      const apiVersion = typeof o.obj.apiVersion === "string" ? o.obj.apiVersion : "";
      if (ctx.clusterScoped(apiVersion, o.kind) !== false) continue;
      report({
        message: `${o.kind} ${o.name} has no namespace after rendering (Kustomization ${o.ks.namespace}/${o.ks.name}); Flux fails to apply it`,
        at: ctx.keyPositionIn(o.at, ["metadata"]),
        hint: "Set metadata.namespace, `namespace:` in the kustomization.yaml, or spec.targetNamespace of the Flux Kustomization.",
      });
    }
  },
};
