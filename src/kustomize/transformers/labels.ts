import { isMap, type ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { type FieldSpec, FieldSpecError, fieldSpecMatches, visitField } from "../fieldspec.ts";
import { idString } from "../resid.ts";
import { currentId, type Resource } from "../resource.ts";
import { mergeFieldSpecs, type TransformerConfig } from "../transformer-config.ts";

/** One entry of a kustomization's `labels:` list. */
export interface LabelEntry {
  pairs: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
  /** The entry's `fields`: extra field specs of its own. */
  fields?: readonly FieldSpec[];
}

/**
 * The field specs one `labels:` entry writes, as kusttarget's LabelTransformer configurator builds them: its own
 * `fields`, plus the config's `labels` specs, plus either every commonLabels spec (includeSelectors) or
 * metadata/labels and, with includeTemplates, the template labels.
 */
export function labelEntryFieldSpecs(
  entry: LabelEntry,
  config: TransformerConfig,
  ctx: TransformContext,
): FieldSpec[] {
  const conflict = (msg: string) => ctx.diags.error("KUS331", `failed to merge labels: ${msg}`, ctx.at);
  let fss = mergeFieldSpecs(entry.fields ?? [], config.labels, conflict);
  if (entry.includeSelectors) {
    fss = mergeFieldSpecs(fss, config.commonLabels, conflict);
  } else {
    if (entry.includeTemplates) {
      fss = mergeFieldSpecs(fss, config.templateLabels, (msg) =>
        ctx.diags.error("KUS331", `failed to merge template fieldSpec: ${msg}`, ctx.at),
      );
    }
    fss = mergeFieldSpecs(fss, [{ path: "metadata/labels", create: true }], conflict);
  }
  return fss;
}

/**
 * Applies a kustomization's `labels:` entries, then its `commonLabels` (with the commonLabels field specs),
 * in kustomize's order.
 */
export function applyKustomizationLabels(
  resources: readonly Resource[],
  labels: readonly LabelEntry[],
  commonLabels: Record<string, string>,
  config: TransformerConfig,
  ctx: TransformContext,
): void {
  for (const entry of labels)
    labelTransformer(resources, entry.pairs, labelEntryFieldSpecs(entry, config, ctx), ctx);
  labelTransformer(resources, commonLabels, config.commonLabels, ctx);
}

/** kustomize's LabelTransformer: every pair set in each field the specs select, maps created where they say. */
export function labelTransformer(
  resources: readonly Resource[],
  labels: Record<string, string>,
  fieldSpecs: readonly FieldSpec[],
  ctx: TransformContext,
): void {
  setStringEntries(resources, labels, fieldSpecs, ctx, "KUS332", "labels");
}

/**
 * The labels/annotations filters: keys in Go's sorted order, for each key every matching field spec; a field
 * holding null stays null (kustomize's setter has nothing to add to), anything else but a map is an error.
 */
export function setStringEntries(
  resources: readonly Resource[],
  entries: Record<string, string>,
  fieldSpecs: readonly FieldSpec[],
  ctx: TransformContext,
  code: string,
  what: string,
): void {
  const keys = Object.keys(entries).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (keys.length === 0) return;
  for (const r of resources) {
    const obj = r.obj;
    for (const k of keys) {
      const v = entries[k]!;
      for (const fs of fieldSpecs) {
        if (!fieldSpecMatches(fs, obj)) continue;
        try {
          visitField(obj, fs, "map", (holder: ValueMap, key: string) => {
            const m = holder[key];
            if (m === null || m === undefined) return;
            if (!isMap(m)) {
              throw new FieldSpecError(
                `wrong node kind: expected MappingNode but got ${Array.isArray(m) ? "SequenceNode" : "ScalarNode"}`,
              );
            }
            m[k] = v;
          });
        } catch (e) {
          if (!(e instanceof FieldSpecError)) throw e;
          ctx.diags.error(
            code,
            `${what}: considering field '${fs.path}' of object ${idString(currentId(r))}: ${e.message}`,
            r.origin,
          );
        }
      }
    }
  }
}
