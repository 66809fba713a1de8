import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { formatDiagnostics, formatDiagnosticsJson } from "../core/print-diagnostics.ts";
import { RepoFs } from "../core/repo-fs.ts";
import type { RuleSetting } from "../validate/config.ts";

/** The validation library (schemas, ajv), loaded when `check` runs rather than with every command. */
async function validateLib() {
  const [check, config, output, rules] = await Promise.all([
    import("../validate/check.ts"),
    import("../validate/config.ts"),
    import("../validate/output.ts"),
    import("../validate/rules/index.ts"),
  ]);
  return { ...check, ...config, ...output, ...rules };
}

interface CheckFlags {
  path?: string;
  format: string;
  maxWarnings?: string;
  rule: string[];
  strictSubstitute?: boolean;
}

const FORMATS = ["text", "json", "github", "sarif"];
const VERSION = "0.1.0";

export function registerCheck(program: Command, setCode: (c: number) => void): void {
  program
    .command("check")
    .description(
      "render the repository and report every problem Flux would hit, with file:line:col and a stable code",
    )
    .argument("[repo-dir]", "repository root", ".")
    .option("--path <entry>", "render from this directory instead of discovering entry points")
    .option("--format <format>", `output: ${FORMATS.join(", ")}`, "text")
    .option("--max-warnings <n>", "fail (exit 1) with more warnings than this")
    .option(
      "--rule <code=level>",
      "set a code's severity: off, info, warn or error (repeatable; wins over .homeops.yaml)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option(
      "--no-strict-substitute",
      "unset variables become empty instead of failing (Flux's feature gate off)",
    )
    .action(async (repoDir: string, flags: CheckFlags) => setCode(await check(repoDir, flags)));
}

function usage(message: string): number {
  process.stderr.write(`homeops check: ${message}\n`);
  return 2;
}

async function check(repoDir: string, flags: CheckFlags): Promise<number> {
  const { RULES, ruleSettingSchema, checkRepository, formatGithub, formatSarif } = await validateLib();
  if (!FORMATS.includes(flags.format)) return usage(`--format must be one of ${FORMATS.join(", ")}`);
  let maxWarnings: number | undefined;
  if (flags.maxWarnings !== undefined) {
    maxWarnings = Number(flags.maxWarnings);
    if (!/^\d+$/.test(flags.maxWarnings)) return usage("--max-warnings must be a non-negative integer");
  }
  const rules: Record<string, RuleSetting> = {};
  const codes = new Set(RULES.map((r) => r.code));
  for (const r of flags.rule) {
    const m = /^([A-Z]+\d{3})=(.*)$/.exec(r);
    const level = ruleSettingSchema.safeParse(m?.[2]);
    if (!m || !level.success) return usage(`--rule expects CODE=off|info|warn|error, not '${r}'`);
    if (m[1]!.startsWith("CHK") && !codes.has(m[1]!))
      return usage(`--rule: no rule ${m[1]} (see docs/rules.md)`);
    rules[m[1]!] = level.data;
  }
  const root = path.resolve(repoDir);
  if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory())
    return usage(`${repoDir} is not a directory`);
  const result = checkRepository(root, {
    rules,
    ...(flags.path ? { path: flags.path } : {}),
    ...(flags.strictSubstitute === false ? { strictSubstitute: false } : {}),
  });
  const ds = result.diagnostics;
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.filter((d) => d.severity === "warning").length;
  const limit = maxWarnings ?? result.maxWarnings;
  if (flags.format === "json") process.stdout.write(formatDiagnosticsJson(ds));
  else if (flags.format === "github") process.stdout.write(formatGithub(ds));
  else if (flags.format === "sarif") process.stdout.write(formatSarif(ds, VERSION));
  else {
    const repo = new RepoFs(root);
    const shown = ds.filter((d) => d.severity !== "info");
    const infos = ds.length - shown.length;
    const { clusters, kustomizations, objects } = result.checked;
    const scope = `${clusters} cluster${clusters === 1 ? "" : "s"}, ${kustomizations} Kustomizations, ${objects} objects`;
    if (shown.length > 0) {
      process.stdout.write(
        formatDiagnostics(shown, {
          readSource: (f) => repo.tryReadRel(f),
          color: process.stdout.isTTY === true,
        }),
      );
    } else process.stdout.write(`no problems found\n`);
    process.stdout.write(
      `checked ${scope}${infos > 0 ? `; ${infos} info note${infos === 1 ? "" : "s"} not shown (--format json lists them)` : ""}\n`,
    );
    if (limit !== undefined && warnings > limit)
      process.stdout.write(`too many warnings: ${warnings} (at most ${limit} allowed)\n`);
  }
  return errors > 0 || (limit !== undefined && warnings > limit) ? 1 : 0;
}
