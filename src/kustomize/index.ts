export { type BuildOptions, type BuildResult, KustomizeEngine } from "./build.ts";
export { renderResources } from "./render.ts";
export type { Resource } from "./resource.ts";
