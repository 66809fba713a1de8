export * from "./core/diagnostics.ts";
export * from "./core/print-diagnostics.ts";
export * from "./core/repo-fs.ts";
export type { Value, ValueMap } from "./core/yaml/value.ts";
export { renderJson, renderYaml } from "./flux/output.ts";
export {
  type RenderedHelmRelease,
  type RenderedKustomization,
  type RenderOptions,
  type RepoRender,
  renderRepository,
} from "./flux/render.ts";
export * from "./kustomize/index.ts";
