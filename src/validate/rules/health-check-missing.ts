import { getPath } from "../../core/yaml/value.ts";
import { ksKey, str } from "../../flux/objects.ts";
import type { Rule } from "../context.ts";
import { entries, fluxKustomizations } from "../lookup.ts";
import { groupOfApiVersion } from "../scope.ts";

export const rule: Rule = {
  code: "CHK108",
  name: "health-check-missing",
  severity: "error",
  summary: "a Kustomization's `healthChecks` names an object that no Kustomization of the cluster produces",
  run(ctx, report) {
    for (const ks of fluxKustomizations(ctx)) {
      for (const [i, hc] of entries(ks.spec, ["healthChecks"])) {
        const kind = str(hc.kind);
        const name = str(hc.name);
        const ns = str(hc.namespace);
        const group = groupOfApiVersion(str(hc.apiVersion));
        const found = ctx
          .ofKind(kind)
          .some(
            (o) =>
              o.ks.cluster === ks.cluster &&
              o.name === name &&
              (str(hc.apiVersion) === "" || o.group === group) &&
              (ns === "" || (o.namespace || "default") === ns),
          );
        if (found) continue;
        // Objects a Helm chart creates are not rendered: only Flux's own kinds are certain to be missing, other
        // kinds only where no HelmRelease could install them (in that namespace; anywhere for cluster-scoped ones).
        const flux = group.endsWith(".toolkit.fluxcd.io") || group.endsWith(".fluxcd.io");
        const helmIn = ctx
          .ofKind("HelmRelease", "helm.toolkit.fluxcd.io")
          .some(
            (h) =>
              h.ks.cluster === ks.cluster &&
              (ns === "" ||
                (str(getPath(h.obj, ["spec", "targetNamespace"])) || h.namespace || "default") === ns),
          );
        if (!flux && helmIn) continue;
        report({
          message: `Kustomization ${ksKey(ks)} waits for ${kind} ${ns ? `${ns}/` : ""}${name}, which no Kustomization of cluster '${ks.cluster}' produces`,
          at: ctx.positionIn(ks.at, ["spec", "healthChecks", i, "name"]),
          hint: "Fix the health check's kind, name or namespace, or remove it: Flux reports the Kustomization unhealthy until it times out.",
        });
      }
    }
  },
};
