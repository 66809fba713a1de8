import type { TransformContext } from "../context.ts";
import { type FieldSpec, FieldSpecError, gvkSelected, visitField } from "../fieldspec.ts";
import { gvkOf, gvkString, idDisplay, idOf } from "../resid.ts";
import { allIds, type Resource } from "../resource.ts";

/** One `replicas:` entry (types.Replica). */
export interface ReplicaSpec {
  name: string;
  count: number | bigint;
}

/** kustomize's builtin `replicas` fieldSpecs (builtinpluginconsts/replicas.go). */
export const DEFAULT_REPLICAS_FIELD_SPECS: readonly FieldSpec[] = [
  { path: "spec/replicas", create: true, kind: "Deployment" },
  { path: "spec/replicas", create: true, kind: "ReplicationController" },
  { path: "spec/replicas", create: true, kind: "ReplicaSet" },
  { path: "spec/replicas", create: true, kind: "StatefulSet" },
];

export const REPLICA_CODES = {
  /** No object with that name among the fieldSpecs' kinds (kustomize fails the build). */
  noMatch: "REP001",
  /** A fieldSpec path runs into a scalar. */
  badPath: "REP002",
} as const;

/**
 * The `replicas:` transformer (ReplicaCountTransformer). An object is chosen when any id it has had (the
 * original one, or the current one after prefixes/suffixes) has exactly the entry's name and a GVK the
 * fieldSpec selects; the count is then set on the fieldSpec's path, created when missing.
 */
export function applyReplicas(
  resources: readonly Resource[],
  replicas: readonly ReplicaSpec[],
  fieldSpecs: readonly FieldSpec[],
  ctx: TransformContext,
): void {
  for (const rep of replicas) {
    let found = false;
    for (const fs of fieldSpecs) {
      const matched = resources.filter((r) =>
        allIds(r).some((id) => id.name === rep.name && gvkSelected(id, fs)),
      );
      if (matched.length > 0) found = true;
      for (const r of matched) {
        // The filter checks the GVK again, on the object as it is now.
        if (!gvkSelected(gvkOf(r.obj), fs)) continue;
        try {
          visitField(r.obj, fs, "scalar", (holder, key) => {
            holder[key] = rep.count;
          });
        } catch (e) {
          if (!(e instanceof FieldSpecError)) throw e;
          ctx.diags.error(
            REPLICA_CODES.badPath,
            `replicas: considering field '${fs.path}' of ${idDisplay(idOf(r.obj))}: ${e.message}`,
            r.origin,
          );
        }
      }
    }
    if (!found) {
      const gvks = fieldSpecs.map((fs) =>
        gvkString({ group: fs.group ?? "", version: fs.version ?? "", kind: fs.kind ?? "" }),
      );
      ctx.diags.error(
        REPLICA_CODES.noMatch,
        `resource with name ${rep.name} does not match a config with the following GVK [${gvks.join(" ")}]`,
        ctx.at,
        "replicas entries must name a Deployment, ReplicaSet, StatefulSet or ReplicationController of the build",
      );
    }
  }
}
