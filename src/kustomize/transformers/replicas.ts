import type { Value } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { type FieldSpec, FieldSpecError, gvkSelected, visitField } from "../fieldspec.ts";
import { decodeGoStruct } from "../generators/go-decode.ts";
import { gvkOf, idDisplay, idOf } from "../resid.ts";
import { allIds, type Resource } from "../resource.ts";

/** One `replicas:` entry (types.Replica). */
export interface ReplicaSpec {
  name: string;
  count: number | bigint;
}

/**
 * kustomize's builtin `replicas` fieldSpecs (builtinpluginconsts/replicas.go), in the order its transformer
 * config sorts them (legacy GVK order), which shows in the no-match error message.
 */
export const DEFAULT_REPLICAS_FIELD_SPECS: readonly FieldSpec[] = [
  { path: "spec/replicas", create: true, kind: "Deployment" },
  { path: "spec/replicas", create: true, kind: "StatefulSet" },
  { path: "spec/replicas", create: true, kind: "ReplicaSet" },
  { path: "spec/replicas", create: true, kind: "ReplicationController" },
];

export const REPLICA_CODES = {
  /** No object with that name among the fieldSpecs' kinds (kustomize fails the build). */
  noMatch: "REP001",
  /** A fieldSpec path runs into a scalar. */
  badPath: "REP002",
  /** A `replicas` entry does not decode (wrong type, unknown field). */
  badEntry: "REP003",
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
  for (const raw of replicas) {
    // Entries may arrive as raw YAML: kustomize decodes them strictly (`count: "3"` is an error).
    const decoded = decodeGoStruct(
      raw as unknown as Value,
      "Replica",
      { name: "string", count: "int64" },
      "replicas",
    );
    if (!decoded.ok) {
      ctx.diags.error(REPLICA_CODES.badEntry, decoded.message, ctx.at);
      continue;
    }
    // A missing count is Go's zero value.
    const rep = { name: "", count: 0, ...decoded.value } as ReplicaSpec;
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
      // kyaml's Gvk.String(): kind.version.group with placeholders.
      const gvks = fieldSpecs.map(
        (fs) => `${fs.kind || "[noKind]"}.${fs.version || "[noVer]"}.${fs.group || "[noGrp]"}`,
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
