import { getPath, isMap, type ValueMap } from "../core/yaml/value.ts";
import { str } from "../flux/objects.ts";
import type { CheckedObject } from "./context.ts";

/** The kinds a HelmRelease may take its chart from: `spec.chartRef`, or `spec.chart.spec.sourceRef`. */
export const CHART_REF_KINDS = ["OCIRepository", "HelmChart", "ExternalArtifact"];
export const CHART_SOURCE_KINDS = ["HelmRepository", "GitRepository", "Bucket"];

/** A HelmRelease's chart source reference, the field path of its `kind`, and the kinds allowed there. */
export function chartSource(
  hr: CheckedObject,
):
  | { ref: ValueMap; path: string[]; allowed: string[]; kind: string; namespace: string; name: string }
  | undefined {
  const chartRef = getPath(hr.obj, ["spec", "chartRef"]);
  const sourceRef = getPath(hr.obj, ["spec", "chart", "spec", "sourceRef"]);
  const found = isMap(chartRef)
    ? { ref: chartRef, path: ["spec", "chartRef"], allowed: CHART_REF_KINDS }
    : isMap(sourceRef)
      ? { ref: sourceRef, path: ["spec", "chart", "spec", "sourceRef"], allowed: CHART_SOURCE_KINDS }
      : undefined;
  if (!found) return undefined;
  return {
    ...found,
    kind: str(found.ref.kind),
    namespace: str(found.ref.namespace) || hr.namespace || "default",
    name: str(found.ref.name),
  };
}
