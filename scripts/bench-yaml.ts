/**
 * Times `loadYaml` alone over every .yaml/.yml file of ../shared/corpus: the loader dominates build time, so
 * it gets its own figure. BENCH_ROUNDS sets the number of timed rounds (best one reported).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { loadYaml } from "../src/core/yaml/load.ts";
import { corpusDir } from "./corpus.ts";

const corpus = corpusDir();
if (!corpus) {
  console.log("bench-yaml: skipped: ../shared/corpus is absent");
  process.exit(0);
}
const files: { name: string; text: string }[] = [];
const walk = (d: string): void => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.ya?ml$/.test(e)) files.push({ name: p, text: readFileSync(p, "utf8") });
  }
};
walk(corpus);
const bytes = files.reduce((n, f) => n + f.text.length, 0);
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);

function once(): number {
  const t0 = performance.now();
  let docs = 0;
  for (const f of files) docs += loadYaml(f.text, f.name).docs.length;
  if (docs === 0) throw new Error("nothing loaded");
  return performance.now() - t0;
}

once(); // warm-up: JIT
const times: number[] = [];
for (let i = 0; i < rounds; i++) times.push(once());
const best = Math.min(...times);
console.log(
  `loadYaml: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB in ${best.toFixed(1)} ms (best of ${rounds}; median ${times.sort((a, b) => a - b)[rounds >> 1]?.toFixed(1)} ms)`,
);
