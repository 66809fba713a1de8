/**
 * `homeops diff` of a one-app change against one full `homeops build`, on the largest corpus repository.
 *
 *   npx tsx scripts/bench-diff.ts [--repo <folder>] [--rounds 7] [--no-cli]
 *
 * The repository is copied into a temporary Git repository (one commit); one HelmRelease's `spec.interval` is then
 * changed in the work tree, the state of a pull request checked out in CI. Measured, best of N after a warm-up:
 * in process, renderRepository + the YAML output (`build`) against diffRepository (work tree vs HEAD); and wall
 * clock of the two commands as a user runs them. The diff must report exactly the one changed object.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { execArgv, which } from "../src/core/exec.ts";
import { diffRepository } from "../src/diff/diff.ts";
import { renderYaml } from "../src/flux/output.ts";
import { renderRepository } from "../src/flux/render.ts";
import { corpusDir } from "./corpus.ts";
import { nodeFlags } from "./node-flags.ts";

const { values } = parseArgs({
  options: {
    repo: { type: "string" },
    rounds: { type: "string", default: process.env.BENCH_ROUNDS ?? "7" },
    "no-cli": { type: "boolean", default: false },
  },
});
const git = which("git");
const corpus = corpusDir();
if (!git || (!values.repo && !corpus)) {
  console.log(`bench-diff: skipped: ${git ? "../shared/corpus is absent" : "git is not installed"}`);
  process.exit(0);
}

/** The corpus repository with the most bytes of YAML. */
function largest(dir: string): string {
  const size = (d: string): number =>
    fs.readdirSync(d, { withFileTypes: true }).reduce((n, e) => {
      const p = path.join(d, e.name);
      if (e.isDirectory()) return n + size(p);
      return /\.ya?ml$/.test(e.name) ? n + fs.statSync(p).size : n;
    }, 0);
  const repos = fs
    .readdirSync(dir)
    .map((n) => path.join(dir, n))
    .filter((p) => fs.statSync(p).isDirectory());
  return repos.map((p) => [p, size(p)] as const).sort((a, b) => b[1] - a[1])[0]![0];
}

const source = values.repo ? path.resolve(values.repo) : largest(corpus!);
const rounds = Number(values.rounds);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-bench-diff-"));
const repo = path.join(tmp, path.basename(source));

function gitIn(...args: string[]): void {
  const r = execArgv(git!, ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", ...args], {
    cwd: repo,
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}

interface Times {
  best: number;
  median: number;
  all: number[];
}

/** Both measured in turns (a busy machine slows both alike), after a warm-up of each. */
function alternate(a: () => void, b: () => void): [Times, Times] {
  a();
  b();
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const [f, into] of [
      [a, ta],
      [b, tb],
    ] as const) {
      const t = performance.now();
      f();
      into.push(performance.now() - t);
    }
  }
  const times = (all: number[]): Times => ({
    best: Math.min(...all),
    median: [...all].sort((x, y) => x - y)[Math.floor(all.length / 2)]!,
    all,
  });
  return [times(ta), times(tb)];
}

const fmt = (x: Times) =>
  `best ${x.best.toFixed(0)} ms, median ${x.median.toFixed(0)} ms (${x.all.map((t) => t.toFixed(0)).join(", ")})`;

try {
  fs.cpSync(source, repo, { recursive: true });
  gitIn("init", "-q", "-b", "main");
  gitIn("add", "-A");
  gitIn("commit", "-q", "-m", "snapshot");

  // The one-app change: the interval of the first HelmRelease (in render order) that has one.
  const render = renderRepository(repo, { showSecrets: true });
  let changed: { file: string; name: string } | undefined;
  for (const k of render.kustomizations) {
    k.objects.forEach((o, i) => {
      if (changed || o.kind !== "HelmRelease") return;
      const at = k.objectOrigins[i];
      if (!at?.file || at.file.includes("..")) return;
      const abs = path.join(repo, at.file);
      const lines = fs.readFileSync(abs, "utf8").split("\n");
      for (let l = Math.max(0, at.line - 1); l < lines.length; l++) {
        if (l > at.line && lines[l] === "---") break;
        const m = /^(\s+interval:\s*)(\S+)(.*)$/.exec(lines[l]!);
        if (m && m[2] !== "17m") {
          lines[l] = `${m[1]}17m${m[3]}`;
          fs.writeFileSync(abs, lines.join("\n"));
          changed = { file: at.file, name: String((o.metadata as Record<string, unknown>).name) };
          return;
        }
      }
    });
    if (changed) break;
  }
  if (!changed) throw new Error("no HelmRelease with an interval to change");
  console.log(
    `repository: ${path.basename(source)}; change: spec.interval of HelmRelease ${changed.name} (${changed.file})`,
  );

  const check = diffRepository({ repo, base: "HEAD" });
  const objects = check.kustomizations.flatMap((k) =>
    k.objects.map((o) => `${o.status} ${o.kind} ${o.name}`),
  );
  if (objects.length !== 1)
    throw new Error(`expected one changed object, the diff reports: ${objects.join("; ")}`);
  console.log(
    `diff reports: ${objects[0]} (base side built ${check.stats.baseBuilt} Kustomizations, reused ${check.stats.baseReused})`,
  );

  const [build, diff] = alternate(
    () => {
      renderYaml(renderRepository(repo));
    },
    () => {
      diffRepository({ repo, base: "HEAD" });
    },
  );
  console.log(`in process: homeops build ${fmt(build)}`);
  console.log(`in process: homeops diff  ${fmt(diff)}`);
  console.log(
    `in process: diff / build = ${(diff.best / build.best).toFixed(2)} (best), ${(diff.median / build.median).toFixed(2)} (median)`,
  );
  const ms = diffRepository({ repo, base: "HEAD" }).stats.ms;
  console.log(
    `in process: diff phases: git ${ms.prepare.toFixed(0)} ms, head render ${ms.head.toFixed(0)} ms, base render ${ms.base.toFixed(0)} ms, compare ${ms.compare.toFixed(0)} ms`,
  );

  if (!values["no-cli"]) {
    const main = path.resolve(import.meta.dirname, "..", "src", "cli", "main.ts");
    const cli = (args: string[]) => () => {
      const r = spawnSync(process.execPath, [...nodeFlags(), "--import", "tsx", main, ...args], {
        cwd: path.resolve(import.meta.dirname, ".."),
        stdio: "ignore",
      });
      if (r.status === null || r.status > 1) throw new Error(`homeops ${args[0]} failed (${r.status})`);
    };
    const [cliBuild, cliDiff] = alternate(cli(["build", repo]), cli(["diff", "HEAD", "--repo", repo]));
    console.log(`command: homeops build <repo>            ${fmt(cliBuild)}`);
    console.log(`command: homeops diff HEAD --repo <repo> ${fmt(cliDiff)}`);
    console.log(
      `command: diff / build = ${(cliDiff.best / cliBuild.best).toFixed(2)} (best), ${(cliDiff.median / cliBuild.median).toFixed(2)} (median)`,
    );
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
