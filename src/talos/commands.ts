import * as fs from "node:fs";
import * as path from "node:path";
import { type Diagnostic, diagnostic } from "../core/diagnostics.ts";
import { strictProblems } from "./config-order.ts";
import {
  type Contract,
  contractString,
  contractSupported,
  newestContract,
  parseContract,
} from "./contract.ts";
import { type GenerateInput, generateConfig, type MachineType } from "./generate.ts";
import { encodeGoYamlDocuments } from "./go-yaml.ts";
import { applyPatches, type ConfigPatch, PatchError } from "./patch.ts";
import { encodeSecretsBundle, newSecretsBundle } from "./secrets.ts";
import { type PlannedSecretsFile, planSecretsFile } from "./secrets-file.ts";
import { renderTalosconfig } from "./talosconfig.ts";

/** A file a command would write: computed first so `--dry-run` and refusal to overwrite are free. */
export interface PlannedFile {
  file: string;
  content: string;
  mode: number;
}

/** Parses `--talos-version`; an unsupported contract is an error the caller reports. */
export function contractFor(version: string | undefined): { contract?: Contract; error?: string } {
  if (version === undefined) return { contract: newestContract };
  const c = parseContract(version);
  if (!c) return { error: `talos version ${version} is not a version (expected vX.Y or vX.Y.Z)` };
  if (!contractSupported(c))
    return { error: `talos version ${version} is not supported (homeops generates v1.3 to v1.15)` };
  return { contract: c };
}

/** talosctl's check of the cluster endpoint: an https URL; the error suggests the fixed form. */
export function validateClusterEndpoint(endpoint: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)/i.exec(endpoint);
  const scheme = m?.[1]?.toLowerCase() ?? "";
  const host = m ? (m[2] ?? "") : (endpoint.replace(/^\/\//, "").split("/")[0] ?? "");
  const fixed = `https://${/:\d+$/.test(host) ? host : `${host}:6443`}`;
  if (!m) {
    const hasPort = /:\d+$/.test(host);
    return `${hasPort ? "no scheme" : "no scheme and port"} specified for the cluster endpoint URL; try ${JSON.stringify(fixed)}`;
  }
  if (scheme !== "https")
    return `the control plane endpoint URL should have scheme https://; try ${JSON.stringify(fixed)}`;
  if (host === "") return "the cluster endpoint URL has no host";
  return undefined;
}

/** `homeops talos gensecret`: a new bundle, encrypted when .sops.yaml asks; refuses to replace an existing file. */
export async function planGensecret(
  file: string,
  options: { force?: boolean; talosVersion?: string; now?: Date } = {},
): Promise<{ plan?: PlannedSecretsFile; diagnostics: Diagnostic[] }> {
  const c = contractFor(options.talosVersion);
  if (!c.contract) return { diagnostics: [diagnostic("TAL016", "error", c.error ?? "bad talos version")] };
  if (fs.existsSync(file) && !options.force) {
    return {
      diagnostics: [
        diagnostic(
          "TAL017",
          "error",
          `${file} already exists; a new bundle would replace the cluster's CAs and lock you out of it`,
          { file },
          "pass --force only if this bundle belongs to no running cluster",
        ),
      ],
    };
  }
  const bundle = await newSecretsBundle(c.contract, options.now);
  return planSecretsFile(file, encodeSecretsBundle(bundle));
}

export interface GenConfigOptions extends GenerateInput {
  /** Patches for both machine types, then per type (talosctl's --config-patch, -control-plane, -worker). */
  patches?: ConfigPatch[];
  controlPlanePatches?: ConfigPatch[];
  workerPatches?: ConfigPatch[];
  /** talosconfig endpoints (`talosctl gen config --endpoints`? no: it leaves them empty; `-e` of talosctl config). */
  endpoints?: string[];
}

/** Renders one machine type, patched; patch errors (JSON 6902 on multi-document configs…) are diagnostics. */
export function renderMachineConfig(
  o: GenConfigOptions,
  type: MachineType,
): { content?: string; diagnostics: Diagnostic[] } {
  const patches = [
    ...(o.patches ?? []),
    ...((type === "controlplane" ? o.controlPlanePatches : o.workerPatches) ?? []),
  ];
  try {
    const docs = applyPatches(generateConfig(o, type), patches);
    const strict = strictProblems(docs).map((m) =>
      diagnostic("TAL022", "error", `${type}: ${m}`, undefined, strictHint),
    );
    if (strict.length > 0) return { diagnostics: strict };
    return { content: encodeGoYamlDocuments(docs), diagnostics: [] };
  } catch (e) {
    if (!(e instanceof PatchError)) throw e;
    return { diagnostics: [diagnostic("TAL020", "error", `${type}: ${e.message}`, undefined, patchHint)] };
  }
}

export const strictHint =
  "Talos decodes machine configs strictly and would refuse this; check the patch's spelling and the Talos version's config reference";

export const patchHint =
  "machine configs are multi-document from Talos 1.12; write the patch as a strategic merge patch " +
  "(use `$patch: delete` instead of `op: remove`)";

/** `homeops talos gen-config`: controlplane.yaml, worker.yaml and talosconfig, as `talosctl gen config`. */
export async function planGenConfig(
  o: GenConfigOptions,
  outDir: string,
): Promise<{ files: PlannedFile[]; diagnostics: Diagnostic[] }> {
  const files: PlannedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const type of ["controlplane", "worker"] as const) {
    const r = renderMachineConfig(o, type);
    diagnostics.push(...r.diagnostics);
    if (r.content !== undefined)
      files.push({ file: path.join(outDir, `${type}.yaml`), content: r.content, mode: 0o600 });
  }
  files.push({
    file: path.join(outDir, "talosconfig"),
    content: await renderTalosconfig({
      clusterName: o.clusterName,
      bundle: o.secrets,
      endpoints: o.endpoints ?? [],
    }),
    mode: 0o600,
  });
  return { files, diagnostics };
}

export function writePlannedFiles(files: readonly PlannedFile[]): void {
  for (const f of files) {
    fs.mkdirSync(path.dirname(f.file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(f.file, f.content, { mode: f.mode });
  }
}

export { contractString };
