import type { Rule } from "../context.ts";

export const rule: Rule = {
  code: "CHK301",
  name: "duplicate-object",
  severity: "error",
  summary:
    "the same object is produced twice after rendering, by one Kustomization or by two (they fight over it)",
  run(ctx, report) {
    const first = new Map<string, (typeof ctx.objects)[number]>();
    for (const o of ctx.objects) {
      if (!o.kind || !o.name) continue;
      const apiVersion = typeof o.obj.apiVersion === "string" ? o.obj.apiVersion : "";
      const ns = ctx.clusterScoped(apiVersion, o.kind) ? "" : o.namespace;
      const id = `${o.ks.cluster}\0${o.group}\0${o.kind}\0${ns}\0${o.name}`;
      const prev = first.get(id);
      if (!prev) {
        first.set(id, o);
        continue;
      }
      const what = `${o.kind} ${ns ? `${ns}/` : ""}${o.name}`;
      const by =
        prev.ks === o.ks
          ? `twice by Kustomization ${o.ks.namespace}/${o.ks.name}`
          : `by Kustomizations ${prev.ks.namespace}/${prev.ks.name} and ${o.ks.namespace}/${o.ks.name}`;
      report({
        message: `${what} is produced ${by}`,
        at: ctx.positionIn(o.at, ["metadata", "name"]),
        hint: `The other one comes from ${prev.at.file}:${prev.at.line}; keep one definition (or give them different names).`,
      });
    }
  },
};
