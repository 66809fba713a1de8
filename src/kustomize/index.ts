export { type BuildOptions, type BuildResult, KustomizeEngine } from "./build.ts";
export type { Resource } from "./resource.ts";
export { renderResources } from "./render.ts";
