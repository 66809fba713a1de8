import type { TransformContext } from "../context.ts";
import type { FieldSpec } from "../fieldspec.ts";
import type { Resource } from "../resource.ts";
import { setStringEntries } from "./labels.ts";

/** kustomize's AnnotationsTransformer (`commonAnnotations:` with the config's commonAnnotations field specs). */
export function annotationsTransformer(
  resources: readonly Resource[],
  annotations: Record<string, string>,
  fieldSpecs: readonly FieldSpec[],
  ctx: TransformContext,
): void {
  setStringEntries(resources, annotations, fieldSpecs, ctx, "KUS333", "annotations");
}
