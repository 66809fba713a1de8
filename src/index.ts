export * from "./core/diagnostics.ts";
export * from "./core/print-diagnostics.ts";
export * from "./core/repo-fs.ts";
export type { Value, ValueMap } from "./core/yaml/value.ts";
export type { Change } from "./diff/changes.ts";
export type { ChartChange, ImageChange, KustomizationDiff, ObjectDiff } from "./diff/compare.ts";
export { type DiffOptions, type DiffResult, type DiffSummary, diffRepository } from "./diff/diff.ts";
export {
  formatJson as formatDiffJson,
  formatMarkdown as formatDiffMarkdown,
  formatText as formatDiffText,
} from "./diff/format.ts";
export { DiffError } from "./diff/git.ts";
export { renderJson, renderYaml, renderYamlParts } from "./flux/output.ts";
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
export {
  type GenConfigOptions,
  planGenConfig,
  planGensecret,
  renderMachineConfig,
} from "./talos/commands.ts";
export { type Contract, parseContract } from "./talos/contract.ts";
export { type GenerateInput, generateConfig, type MachineType } from "./talos/generate.ts";
export { encodeGoYaml, encodeGoYamlDocuments } from "./talos/go-yaml.ts";
export { applyPatches, type ConfigPatch, loadPatch } from "./talos/patch.ts";
export { schematicId } from "./talos/schematic.ts";
export {
  encodeSecretsBundle,
  newSecretsBundle,
  parseSecretsBundle,
  type SecretsBundle,
} from "./talos/secrets.ts";
export { readSecretsBundle } from "./talos/secrets-file.ts";
export { planTalconfig, type TalconfigRequest } from "./talos/talconfig.ts";
export { talconfigSchema } from "./talos/talconfig-schema.ts";
export { renderTalosconfig } from "./talos/talosconfig.ts";
export { type CheckOptions, type CheckResult, checkRepository } from "./validate/check.ts";
export { type HomeopsConfig, homeopsConfigSchema } from "./validate/config.ts";
export { formatGithub, formatSarif } from "./validate/output.ts";
export { RULES } from "./validate/rules/index.ts";
