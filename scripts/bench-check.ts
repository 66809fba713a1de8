/**
 * `homeops check` against `homeops build` on the largest corpus repository (by YAML bytes), two ways:
 * - the commands as a user runs them (a fresh process each, output to /dev/null), wall time;
 * - in one process after a warm-up: build = render + YAML output, check = render + every rule (user + system CPU
 *   beside wall time, because the machine is shared).
 * Rounds alternate; medians are printed. The bar: check costs at most 1.5x build.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { renderYaml } from "../src/flux/output.ts";
import { renderRepository } from "../src/flux/render.ts";
import { checkRepository } from "../src/validate/check.ts";
import { corpusDir } from "./corpus.ts";
import { nodeFlags } from "./node-flags.ts";

const corpus = corpusDir();
if (!corpus) {
  console.log("bench-check: skipped: ../shared/corpus is absent");
  process.exit(0);
}

function yamlBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith(".")) n += yamlBytes(p);
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) n += fs.statSync(p).size;
  }
  return n;
}

const repos = fs
  .readdirSync(corpus)
  .map((r) => path.join(corpus, r))
  .filter((p) => fs.statSync(p).isDirectory());
const largest = repos.sort((a, b) => yamlBytes(b) - yamlBytes(a))[0]!;
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

function measure(f: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

const cli = path.resolve(import.meta.dirname, "..", "src", "cli", "main.ts");
function runCli(command: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...nodeFlags(), "--import", "tsx", cli, command, largest], {
    stdio: ["ignore", "ignore", "ignore"],
  });
  if (r.status === null || r.status > 1) throw new Error(`homeops ${command} failed (${r.status})`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cliBuild: number[] = [];
const cliCheck: number[] = [];
for (let i = 0; i < rounds; i++) {
  cliBuild.push(runCli("build"));
  cliCheck.push(runCli("check"));
}
// One warm-up of each: module loading and JIT are not what is compared.
renderYaml(renderRepository(largest));
checkRepository(largest);
const build: { wall: number; cpu: number }[] = [];
const check: { wall: number; cpu: number }[] = [];
for (let i = 0; i < rounds; i++) {
  build.push(measure(() => renderYaml(renderRepository(largest))));
  check.push(measure(() => checkRepository(largest)));
}
const b = { wall: median(build.map((x) => x.wall)), cpu: median(build.map((x) => x.cpu)) };
const c = { wall: median(check.map((x) => x.wall)), cpu: median(check.map((x) => x.cpu)) };
console.log(`repository: ${path.basename(largest)} (${rounds} rounds, medians)`);
console.log(
  `commands: build ${median(cliBuild).toFixed(0)} ms, check ${median(cliCheck).toFixed(0)} ms: ${(median(cliCheck) / median(cliBuild)).toFixed(2)}x (bar: 1.5x)`,
);
console.log(`in process, build: ${b.wall.toFixed(0)} ms wall, ${b.cpu.toFixed(0)} ms cpu`);
console.log(`in process, check: ${c.wall.toFixed(0)} ms wall, ${c.cpu.toFixed(0)} ms cpu`);
console.log(
  `in process, check/build: ${(c.wall / b.wall).toFixed(2)}x wall, ${(c.cpu / b.cpu).toFixed(2)}x cpu`,
);
