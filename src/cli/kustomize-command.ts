import * as path from "node:path";
import type { Command } from "commander";
import { sortDiagnostics } from "../core/diagnostics.ts";
import { formatDiagnostics } from "../core/print-diagnostics.ts";
import { findGitRoot, RepoFs } from "../core/repo-fs.ts";
import { KustomizeEngine } from "../kustomize/build.ts";
import { renderResources } from "../kustomize/render.ts";

interface BuildFlags {
  loadRestrictor: string;
  reorder: string;
  output: string;
  root?: string;
}

const RESTRICTORS: Record<string, "rootOnly" | "none"> = {
  rootOnly: "rootOnly",
  LoadRestrictionsRootOnly: "rootOnly",
  none: "none",
  LoadRestrictionsNone: "none",
};

export function registerKustomize(program: Command, setCode: (c: number) => void): void {
  const k = program
    .command("kustomize")
    .description("kustomize, natively: the engine Flux builds every directory with");
  k.command("build")
    .description("print what `kubectl kustomize <dir>` prints, byte for byte")
    .argument("<dir>", "directory holding a kustomization file")
    .option("--load-restrictor <mode>", "rootOnly or none (Flux uses none)", "rootOnly")
    .option("--reorder <mode>", "legacy or none (Flux uses none)", "legacy")
    .option("-o, --output <format>", "yaml or json", "yaml")
    .option(
      "--root <dir>",
      "repository root no file may escape (default: the git top level, else the current directory)",
    )
    .action((dir: string, flags: BuildFlags) => {
      setCode(kustomizeBuild(dir, flags));
    });
}

function kustomizeBuild(dir: string, flags: BuildFlags): number {
  const restrictor = RESTRICTORS[flags.loadRestrictor];
  if (!restrictor) return usage(`--load-restrictor must be rootOnly or none, not '${flags.loadRestrictor}'`);
  if (flags.reorder !== "legacy" && flags.reorder !== "none") {
    return usage(`--reorder must be legacy or none, not '${flags.reorder}'`);
  }
  if (flags.output !== "yaml" && flags.output !== "json")
    return usage(`-o must be yaml or json, not '${flags.output}'`);
  const abs = path.resolve(dir);
  const root = path.resolve(flags.root ?? defaultRoot(abs));
  if (abs !== root && !abs.startsWith(`${root}/`))
    return usage(`${dir} is outside the root ${root}; pass --root`);
  const fs = new RepoFs(root);
  const result = new KustomizeEngine(fs).build(abs, { loadRestrictor: restrictor, reorder: flags.reorder });
  const rendered = renderResources(result.resources, flags.output);
  const diagnostics = [...result.diagnostics, ...rendered.diagnostics];
  const errors = diagnostics.some((d) => d.severity === "error");
  if (diagnostics.length > 0) {
    process.stderr.write(
      formatDiagnostics(sortDiagnostics(diagnostics), {
        readSource: (f) => fs.tryReadRel(f),
        color: process.stderr.isTTY === true,
      }),
    );
  }
  if (errors) return 1;
  process.stdout.write(rendered.output);
  return 0;
}

function defaultRoot(dir: string): string {
  const git = findGitRoot(dir);
  if (git) return git;
  const cwd = process.cwd();
  return dir === cwd || dir.startsWith(`${cwd}/`) ? cwd : dir;
}

function usage(msg: string): number {
  process.stderr.write(`homeops: ${msg}\n`);
  return 2;
}
