import * as path from "node:path";
import type { Command } from "commander";
import { sortDiagnostics } from "../core/diagnostics.ts";
import { formatDiagnostics } from "../core/print-diagnostics.ts";
import { RepoFs } from "../core/repo-fs.ts";
import { renderJson, renderYamlParts } from "../flux/output.ts";
import { renderRepository } from "../flux/render.ts";

interface BuildFlags {
  path?: string;
  kustomization?: string;
  output: string;
  showSecrets?: boolean;
  strictSubstitute: boolean;
  ageKeyFile?: string;
}

export function registerBuild(program: Command, setCode: (c: number) => void): void {
  program
    .command("build")
    .description("render the repository as Flux would apply it, every Kustomization of every cluster")
    .argument("[repo-dir]", "repository root", ".")
    .option("--path <entry>", "render from this directory instead of discovering entry points")
    .option("--kustomization <ns/name>", "print only this Flux Kustomization")
    .option("-o, --output <format>", "yaml or json", "yaml")
    .option("--show-secrets", "print secret values instead of masking them")
    .option("--strict-substitute", "an unset variable without a default is an error (Flux's default)", true)
    .option("--no-strict-substitute", "unset variables become empty, as `flux build` does")
    .option(
      "--age-key-file <file>",
      "age identities to decrypt SOPS secrets (also SOPS_AGE_KEY_FILE, SOPS_AGE_KEY)",
    )
    .action(async (repoDir: string, flags: BuildFlags) => setCode(await build(repoDir, flags)));
}

async function build(repoDir: string, flags: BuildFlags): Promise<number> {
  if (flags.output !== "yaml" && flags.output !== "json") {
    process.stderr.write(`homeops: -o must be yaml or json, not '${flags.output}'\n`);
    return 2;
  }
  const root = path.resolve(repoDir);
  // Identities as sops finds them (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, keys.txt) plus --age-key-file. The SOPS
  // library loads here, not with every command.
  const [{ findAgeIdentities }, { prepareFluxDecryption }] = await Promise.all([
    import("../sops/keys.ts"),
    import("../sops/flux.ts"),
  ]);
  const ids = findAgeIdentities(flags.ageKeyFile);
  // A key source that cannot be read is a usage error, as in sops: decrypting with fewer keys would mislead.
  for (const e of ids.errors) process.stderr.write(`homeops: age identities: ${e}\n`);
  if (ids.errors.length > 0) return 2;
  const decryption = await prepareFluxDecryption(root, ids.identities);
  const result = renderRepository(root, {
    decryption,
    ...(flags.path ? { path: flags.path } : {}),
    showSecrets: flags.showSecrets === true,
    strictSubstitute: flags.strictSubstitute,
  });
  if (flags.kustomization) {
    const [ns, name] = flags.kustomization.includes("/")
      ? flags.kustomization.split("/", 2)
      : ["flux-system", flags.kustomization];
    result.kustomizations = result.kustomizations.filter((k) => k.namespace === ns && k.name === name);
    if (result.kustomizations.length === 0) {
      process.stderr.write(`homeops: no Kustomization ${ns}/${name} was rendered\n`);
      return 2;
    }
  }
  result.diagnostics = sortDiagnostics([...result.diagnostics, ...decryption.fileDiagnostics]);
  // Writing may find objects that cannot be written: the diagnostics come after the output, all of them.
  const output = flags.output === "json" ? [renderJson(result)] : renderYamlParts(result);
  for (const part of output) process.stdout.write(part);
  const sorted = sortDiagnostics(result.diagnostics);
  const fs = new RepoFs(root);
  const shown = sorted.filter((d) => d.severity !== "info");
  if (shown.length > 0) {
    process.stderr.write(
      formatDiagnostics(shown, { readSource: (f) => fs.tryReadRel(f), color: process.stderr.isTTY === true }),
    );
  }
  return sorted.some((d) => d.severity === "error") ? 1 : 0;
}
