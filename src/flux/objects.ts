import type { Position } from "../core/diagnostics.ts";
import { getPath, isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import { parseApiVersion } from "../kustomize/resid.ts";

/** A reference to a Flux source (`spec.sourceRef`), namespace defaulted to the referrer's. */
export interface SourceRef {
  kind: string;
  name: string;
  namespace: string;
}

/** A Flux Kustomization as the cascade needs it. */
export interface FluxKustomization {
  namespace: string;
  name: string;
  /** `spec.path` as written ("" = source root). */
  path: string;
  sourceRef: SourceRef;
  dependsOn: { namespace: string; name: string }[];
  spec: ValueMap;
  /** The whole object as rendered (after its parent's patches and substitution). */
  obj: ValueMap;
  origin: Position;
}

export const FLUX_KS_GROUP = "kustomize.toolkit.fluxcd.io";

export function groupOf(obj: ValueMap): string {
  return typeof obj.apiVersion === "string" ? parseApiVersion(obj.apiVersion).group : "";
}

export function isFluxKustomization(obj: ValueMap): boolean {
  return obj.kind === "Kustomization" && groupOf(obj) === FLUX_KS_GROUP;
}

export function str(v: Value | undefined): string {
  return typeof v === "string" ? v : "";
}

export function metaName(obj: ValueMap): string {
  return str(getPath(obj, ["metadata", "name"]));
}

export function metaNamespace(obj: ValueMap): string {
  return str(getPath(obj, ["metadata", "namespace"]));
}

/** Reads a Flux Kustomization object; `defaultNamespace` stands in for a missing metadata.namespace. */
export function readFluxKustomization(
  obj: ValueMap,
  origin: Position,
  defaultNamespace = "flux-system",
): FluxKustomization {
  const spec = isMap(obj.spec) ? obj.spec : ({} as ValueMap);
  const namespace = metaNamespace(obj) || defaultNamespace;
  const ref = isMap(spec.sourceRef) ? spec.sourceRef : ({} as ValueMap);
  const dependsOn = Array.isArray(spec.dependsOn)
    ? spec.dependsOn
        .filter(isMap)
        .map((d) => ({ name: str(d.name), namespace: str(d.namespace) || namespace }))
    : [];
  return {
    namespace,
    name: metaName(obj),
    path: str(spec.path),
    sourceRef: { kind: str(ref.kind), name: str(ref.name), namespace: str(ref.namespace) || namespace },
    dependsOn,
    spec,
    obj,
    origin,
  };
}

export function ksKey(k: { namespace: string; name: string }): string {
  return `${k.namespace}/${k.name}`;
}

export function sourceKey(s: SourceRef): string {
  return `${s.kind}/${s.namespace}/${s.name}`;
}
