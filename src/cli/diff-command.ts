import type { Command } from "commander";
import { type DiffOptions, type DiffResult, diffRepository } from "../diff/diff.ts";
import { formatJson, formatMarkdown, formatText, GITHUB_COMMENT_LIMIT } from "../diff/format.ts";
import { DiffError } from "../diff/git.ts";

interface DiffFlags {
  repo: string;
  path?: string;
  format: string;
  kind?: string;
  showSecrets?: boolean;
  maxBytes?: string;
  ignoreMetadata?: string;
  baseDir?: string;
  headDir?: string;
  strictSubstitute: boolean;
  full?: boolean;
  header?: string;
}

export function registerDiff(program: Command, setCode: (c: number) => void): void {
  program
    .command("diff")
    .description(
      "what Flux would apply differently between two revisions: object diffs per Kustomization (exit 0 same, 1 changes, 2 error)",
    )
    .argument("[base-ref]", "base revision (default origin/main, else main)")
    .argument("[head-ref]", "head revision (default: the work tree, uncommitted changes included)")
    .option("--repo <dir>", "repository directory", ".")
    .option("--base-dir <dir>", "compare this folder (with --head-dir) instead of Git revisions")
    .option("--head-dir <dir>", "the head folder for --base-dir")
    .option("--path <entry>", "render from this directory instead of discovering entry points")
    .option("--format <format>", "text, markdown or json", "text")
    .option("--kind <kinds>", "only objects of these kinds (comma-separated)")
    .option("--show-secrets", "show secret values instead of masking them")
    .option(
      "--max-bytes <n>",
      `longest output for --format markdown (default ${GITHUB_COMMENT_LIMIT}, GitHub's limit)`,
    )
    .option("--ignore-metadata <keys>", "labels and annotations to leave out (comma-separated; prefix*)")
    .option("--header <line>", "first line of --format markdown (e.g. a hidden marker)")
    .option("--strict-substitute", "an unset variable without a default is an error (Flux's default)", true)
    .option("--no-strict-substitute", "unset variables become empty, as `flux build` does")
    .option("--full", "render the base side in full instead of only what the change can reach")
    .action((baseRef: string | undefined, headRef: string | undefined, flags: DiffFlags) =>
      setCode(diff(baseRef, headRef, flags)),
    );
}

function list(s: string | undefined): string[] | undefined {
  const items = s
    ?.split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

function diff(baseRef: string | undefined, headRef: string | undefined, flags: DiffFlags): number {
  if (!["text", "markdown", "json"].includes(flags.format)) {
    process.stderr.write(`homeops: --format must be text, markdown or json, not '${flags.format}'\n`);
    return 2;
  }
  const maxBytes = flags.maxBytes === undefined ? undefined : Number(flags.maxBytes);
  if (maxBytes !== undefined && !(Number.isInteger(maxBytes) && maxBytes > 0)) {
    process.stderr.write(`homeops: --max-bytes must be a positive integer, not '${flags.maxBytes}'\n`);
    return 2;
  }
  const kinds = list(flags.kind);
  const ignore = list(flags.ignoreMetadata);
  const opts: DiffOptions = {
    repo: flags.repo,
    showSecrets: flags.showSecrets === true,
    strictSubstitute: flags.strictSubstitute,
    incremental: flags.full !== true,
    ...(baseRef !== undefined ? { base: baseRef } : {}),
    ...(headRef !== undefined ? { head: headRef } : {}),
    ...(flags.baseDir !== undefined ? { baseDir: flags.baseDir } : {}),
    ...(flags.headDir !== undefined ? { headDir: flags.headDir } : {}),
    ...(flags.path ? { path: flags.path } : {}),
    ...(kinds ? { kinds } : {}),
    ...(ignore ? { ignoreMetadata: ignore } : {}),
  };
  let r: DiffResult;
  try {
    r = diffRepository(opts);
  } catch (e) {
    if (!(e instanceof DiffError)) throw e;
    process.stderr.write(`homeops: ${e.message}\n`);
    return 2;
  }
  if (flags.format === "json") process.stdout.write(formatJson(r));
  else if (flags.format === "markdown")
    process.stdout.write(
      formatMarkdown(r, {
        ...(maxBytes !== undefined ? { maxBytes } : {}),
        ...(flags.header !== undefined ? { header: flags.header } : {}),
      }),
    );
  else process.stdout.write(formatText(r, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }));
  return r.kustomizations.length > 0 || r.newDiagnostics.length > 0 ? 1 : 0;
}
