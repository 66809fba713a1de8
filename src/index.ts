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
export { encryptBytes, openBytes, readEncrypted, sealBytes } from "./sops/file.ts";
export { prepareFluxDecryption } from "./sops/flux.ts";
export { findAgeIdentities, generateAgeKey } from "./sops/keys.ts";
export { SOPS_VERSION } from "./sops/metadata.ts";
export { encryptFile, encryptFileForPath, openFile, secretsStatus, writeFileAtomic } from "./sops/ops.ts";
