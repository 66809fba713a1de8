/**
 * Builds every kustomization directory of ../shared/corpus in one process and compares the wall time with
 * a sequential `kubectl kustomize` loop over the same directories.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { which } from "../src/core/exec.ts";
import { RepoFs } from "../src/core/repo-fs.ts";
import { KustomizeEngine } from "../src/kustomize/build.ts";
import { renderResources } from "../src/kustomize/render.ts";
import { corpusDir, corpusDirectories } from "./corpus.ts";
import { nodeFlags } from "./node-flags.ts";

const corpus = corpusDir();
if (!corpus) {
  console.log("bench: skipped: ../shared/corpus is absent");
  process.exit(0);
}
const dirs = corpusDirectories(corpus);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

function homeopsOnce(): number {
  const t0 = performance.now();
  const engines = new Map<string, KustomizeEngine>();
  let bytes = 0;
  for (const d of dirs) {
    let e = engines.get(d.root);
    if (!e) {
      e = new KustomizeEngine(new RepoFs(d.root));
      engines.set(d.root, e);
    }
    const r = e.build(d.dir, { loadRestrictor: "none", reorder: "legacy" });
    bytes += renderResources(r.resources, "yaml").output.length;
  }
  if (bytes === 0) throw new Error("nothing rendered");
  return performance.now() - t0;
}

homeopsOnce(); // warm-up: JIT
const ours: number[] = [];
for (let i = 0; i < rounds; i++) ours.push(homeopsOnce());
const best = Math.min(...ours);
console.log(
  `homeops: ${dirs.length} directories in ${best.toFixed(0)} ms (best of ${rounds}; ${ours.map((x) => x.toFixed(0)).join(", ")} ms)`,
);

if (!which("kubectl") || process.env.BENCH_SKIP_KUBECTL) {
  console.log("kubectl loop: skipped (kubectl absent or BENCH_SKIP_KUBECTL set)");
} else {
  const t0 = performance.now();
  for (const d of dirs) {
    spawnSync("kubectl", ["kustomize", "--load-restrictor=LoadRestrictionsNone", d.dir], { stdio: "ignore" });
  }
  const theirs = performance.now() - t0;
  console.log(`kubectl kustomize loop: ${dirs.length} directories in ${theirs.toFixed(0)} ms`);
  console.log(`speed-up: ${(theirs / best).toFixed(1)}x`);
}

// --- homeops build: every corpus repository rendered in full -------------------------------------------------
console.log("\nhomeops build (Flux cascade) per repository:");
for (const repo of fs.readdirSync(corpus).sort()) {
  const root = path.join(corpus, repo);
  if (!fs.statSync(root).isDirectory()) continue;
  // `render`: the objects (renderRepository); `build`: what `homeops build` does, the objects printed as YAML too
  // (the kubectl loop prints its YAML as well). Each measurement runs in a fresh process (bench-repo.ts).
  const run = <T>(mode: string): T => {
    const r = spawnSync(
      process.execPath,
      [
        ...nodeFlags(),
        "--import",
        "tsx",
        path.join(import.meta.dirname, "bench-repo.ts"),
        mode,
        root,
        String(rounds),
      ],
      { encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`bench-repo ${mode} ${repo} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as T;
  };
  type Timed = { render: number; build: number; paths: string[] };
  const first = run<Timed>("render");
  const ksPaths = first.paths;
  const withKubectl = which("kubectl") !== undefined && !process.env.BENCH_SKIP_KUBECTL;
  // Best of as many loops as homeops gets rounds.
  const loops: number[] = [];
  for (let i = 0; withKubectl && i < rounds; i++) {
    const t = performance.now();
    for (const p of ksPaths) {
      spawnSync("kubectl", ["kustomize", "--load-restrictor=LoadRestrictionsNone", path.join(root, p)], {
        stdio: "ignore",
      });
    }
    loops.push(performance.now() - t);
  }
  // homeops's rounds take a second, the kubectl loops many: a second process after the loops samples the
  // machine at the other end of that time too (a burst of slowness on a shared machine that fell on the first
  // process's second made the ratio swing 15x-25x).
  const second = withKubectl ? run<Timed>("render") : first;
  const render = Math.min(first.render, second.render);
  const build = Math.min(first.build, second.build);
  // Reading and parsing every YAML file of the repository once: the floor for a renderer. Measured with the
  // standard JavaScript YAML parser (the `yaml` package) and with homeops's own loader, which is faster.
  const {
    files,
    yamlPackage: parse,
    own: ownParse,
  } = run<{ files: number; yamlPackage: number; own: number }>("parse");
  const mem = spawnSync(
    process.execPath,
    [...nodeFlags(), "--import", "tsx", path.join(import.meta.dirname, "render-once.ts"), root],
    {
      encoding: "utf8",
    },
  );
  const peak =
    mem.status === 0
      ? (JSON.parse(mem.stdout.trim().split("\n").pop()!) as { maxRssMB: number }).maxRssMB
      : Number.NaN;
  let line = `  ${repo}: ${ksPaths.length} Kustomizations rendered in ${render.toFixed(0)} ms, printed as YAML by ${build.toFixed(0)} ms; parsing its ${files} YAML files once: ${parse.toFixed(0)} ms with the yaml package (render ${(render / parse).toFixed(2)}x that, build ${(build / parse).toFixed(2)}x), ${ownParse.toFixed(1)} ms with homeops's loader (render ${(render / ownParse).toFixed(2)}x, build ${(build / ownParse).toFixed(2)}x); peak RSS ${peak} MB (with tsx)`;
  if (withKubectl) {
    const kubectl = Math.min(...loops);
    line += `; kubectl loop over the same paths (best of ${rounds}): ${kubectl.toFixed(0)} ms (${(kubectl / build).toFixed(1)}x homeops build, ${(kubectl / render).toFixed(1)}x the render alone; homeops best of ${rounds} rounds in a process before the loops and ${rounds} in one after)`;
  }
  console.log(line);
}

// --- the other commands' own benchmarks ------------------------------------------------------------------------
for (const script of ["bench-talos.ts", "bench-check.ts", "bench-diff.ts"]) {
  console.log(`\n${script}:`);
  const r = spawnSync(
    process.execPath,
    [...nodeFlags(), "--import", "tsx", path.join(import.meta.dirname, script)],
    { stdio: "inherit" },
  );
  if (r.status !== 0) console.log(`${script} exited with ${r.status}`);
}
