/**
 * Builds every kustomization directory of ../shared/corpus with homeops and with `kubectl kustomize`
 * (--load-restrictor none, as Flux builds) and compares the bytes. Where kubectl fails offline, homeops must
 * report an error diagnostic naming the same cause. Prints `N passed, N failed`; exits 1 on any failure.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { which } from "../src/core/exec.ts";
import { runConformance } from "./conformance-lib.ts";
import { corpusDir } from "./corpus.ts";

const corpus = corpusDir();
if (!which("kubectl")) {
  console.log("conformance: skipped: kubectl is not on PATH");
  process.exit(0);
}
if (!corpus) {
  console.log("conformance: skipped: ../shared/corpus is absent");
  process.exit(0);
}
const outDir = path.resolve(import.meta.dirname, "..", ".bench", "conformance");
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
let failed = 0;
let passed = 0;
// Flux's load restrictor first (what the issue asks), then kustomize's own defaults.
for (const restrictor of ["none", "rootOnly"] as const) {
  const summary = await runConformance(corpus, { outDir, log: (s) => console.log(s), restrictor });
  console.log(`--load-restrictor ${restrictor}: ${summary.passed} passed, ${summary.failed} failed`);
  failed += summary.failed;
  passed += summary.passed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
