import { isMap, type ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { type FieldSpec, FieldSpecError, fieldSpecMatches, gvkSelected, visitField } from "../fieldspec.ts";
import { idString, type ResId } from "../resid.ts";
import { currentId, originalId, type Resource, storePreviousId } from "../resource.ts";

/**
 * Objects the Prefix/SuffixTransformer never rename, judged by their original id: CRDs, APIServices and
 * Namespaces (their names mean something to the API server).
 */
const SKIP: readonly { group?: string; kind: string }[] = [
  { kind: "CustomResourceDefinition" },
  { group: "apiregistration.k8s.io", kind: "APIService" },
  { kind: "Namespace" },
];

function skipped(id: ResId): boolean {
  return SKIP.some((s) => gvkSelected(id, s));
}

/** kustomize's PrefixTransformer: `prefix` + each field the `namePrefix` field specs select. */
export function prefixTransformer(
  resources: readonly Resource[],
  prefix: string,
  fieldSpecs: readonly FieldSpec[],
  ctx: TransformContext,
): void {
  if (prefix === "") return;
  affix(
    resources,
    fieldSpecs,
    ctx,
    "prefix",
    (r) => {
      r.namePrefixes = [...(r.namePrefixes ?? []), prefix];
    },
    (v) => prefix + v,
  );
}

/** kustomize's SuffixTransformer: each field the `nameSuffix` field specs select + `suffix`. */
export function suffixTransformer(
  resources: readonly Resource[],
  suffix: string,
  fieldSpecs: readonly FieldSpec[],
  ctx: TransformContext,
): void {
  if (suffix === "") return;
  affix(
    resources,
    fieldSpecs,
    ctx,
    "suffix",
    (r) => {
      r.nameSuffixes = [...(r.nameSuffixes ?? []), suffix];
    },
    (v) => v + suffix,
  );
}

function affix(
  resources: readonly Resource[],
  fieldSpecs: readonly FieldSpec[],
  ctx: TransformContext,
  what: string,
  record: (r: Resource) => void,
  change: (v: string) => string,
): void {
  for (const r of resources) {
    const org = originalId(r);
    if (skipped(org)) continue;
    for (const fs of fieldSpecs) {
      // Selection by the original id first (as kustomize), then the filter's own check of the current object.
      if (!gvkSelected(org, fs)) continue;
      if (fs.path === "metadata/name") {
        // Recorded for the name-reference fix-up; the previous id is stored before the rename.
        record(r);
        storePreviousId(r);
      }
      if (!fieldSpecMatches(fs, r.obj)) continue;
      try {
        visitField(r.obj, fs, "scalar", (holder: ValueMap, key: string) => {
          const cur = holder[key];
          if (isMap(cur) || Array.isArray(cur)) {
            throw new FieldSpecError(
              `wrong node kind: expected ScalarNode but got ${isMap(cur) ? "MappingNode" : "SequenceNode"}`,
            );
          }
          holder[key] = change(cur === undefined || cur === null ? "" : String(cur));
        });
      } catch (e) {
        if (!(e instanceof FieldSpecError)) throw e;
        ctx.diags.error(
          "KUS321",
          `name ${what}: considering field '${fs.path}' of object ${idString(currentId(r))}: ${e.message}`,
          r.origin,
        );
      }
    }
  }
}
