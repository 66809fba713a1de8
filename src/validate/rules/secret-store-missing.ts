import { getPath, isMap, type Value } from "../../core/yaml/value.ts";
import { str } from "../../flux/objects.ts";
import type { CheckedObject, Rule } from "../context.ts";

/** The store references of an ExternalSecret spec, with their field paths. */
function storeRefs(
  spec: Value | undefined,
  base: (string | number)[],
): { ref: Value; path: (string | number)[] }[] {
  const out: { ref: Value; path: (string | number)[] }[] = [];
  const main = getPath(spec, ["secretStoreRef"]);
  if (isMap(main)) out.push({ ref: main, path: [...base, "secretStoreRef"] });
  for (const list of ["data", "dataFrom"]) {
    const items = getPath(spec, [list]);
    if (!Array.isArray(items)) continue;
    items.forEach((item, i) => {
      const ref = getPath(item, ["sourceRef", "storeRef"]);
      if (isMap(ref)) out.push({ ref, path: [...base, list, i, "sourceRef", "storeRef"] });
    });
  }
  return out;
}

export const rule: Rule = {
  code: "CHK504",
  name: "secret-store-missing",
  severity: "error",
  summary:
    "an ExternalSecret whose SecretStore (in its namespace) or ClusterSecretStore no Kustomization of the cluster creates",
  run(ctx, report) {
    const check = (
      es: CheckedObject,
      spec: Value | undefined,
      base: (string | number)[],
      ns: string | undefined,
    ) => {
      for (const { ref, path } of storeRefs(spec, base)) {
        const kind = str(getPath(ref, ["kind"])) || "SecretStore";
        const name = str(getPath(ref, ["name"]));
        if (kind !== "SecretStore" && kind !== "ClusterSecretStore") continue;
        const found = ctx
          .ofKind(kind, "external-secrets.io")
          .some(
            (s) =>
              s.ks.cluster === es.ks.cluster &&
              s.name === name &&
              (kind === "ClusterSecretStore" || ns === undefined || (s.namespace || "default") === ns),
          );
        if (found) continue;
        report({
          message: `${es.kind} ${es.namespace ? `${es.namespace}/` : ""}${es.name} reads from ${kind} ${kind === "SecretStore" && ns ? `${ns}/` : ""}${name}, which no Kustomization of cluster '${es.ks.cluster}' creates`,
          at: ctx.positionIn(es.at, [...path, "name"]),
          hint:
            kind === "SecretStore"
              ? "A SecretStore must be in the ExternalSecret's namespace; add it, or use kind: ClusterSecretStore."
              : "Add the ClusterSecretStore to the repository, or fix the name.",
        });
      }
    };
    for (const es of ctx.ofKind("ExternalSecret", "external-secrets.io"))
      check(es, getPath(es.obj, ["spec"]), ["spec"], es.namespace || "default");
    // A ClusterExternalSecret makes ExternalSecrets in many namespaces: only ClusterSecretStores are certain.
    for (const ces of ctx.ofKind("ClusterExternalSecret", "external-secrets.io"))
      check(ces, getPath(ces.obj, ["spec", "externalSecretSpec"]), ["spec", "externalSecretSpec"], undefined);
  },
};
