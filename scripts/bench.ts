/**
 * Builds every kustomization directory of ../shared/corpus in one process and compares the wall time with
 * a sequential `kubectl kustomize` loop over the same directories.
 */
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { which } from "../src/core/exec.ts";
import { RepoFs } from "../src/core/repo-fs.ts";
import { KustomizeEngine } from "../src/kustomize/build.ts";
import { renderResources } from "../src/kustomize/render.ts";
import { corpusDir, corpusDirectories } from "./corpus.ts";

const corpus = corpusDir();
if (!corpus) {
  console.log("bench: skipped: ../shared/corpus is absent");
  process.exit(0);
}
const dirs = corpusDirectories(corpus);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

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
  process.exit(0);
}
const t0 = performance.now();
for (const d of dirs) {
  spawnSync("kubectl", ["kustomize", "--load-restrictor=LoadRestrictionsNone", d.dir], { stdio: "ignore" });
}
const theirs = performance.now() - t0;
console.log(`kubectl kustomize loop: ${dirs.length} directories in ${theirs.toFixed(0)} ms`);
console.log(`speed-up: ${(theirs / best).toFixed(1)}x`);
