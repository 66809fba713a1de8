/** Compares `homeops build` with kubectl + Flux's generator on every corpus repo; prints `N passed, N failed`. */
import * as fs from "node:fs";
import * as path from "node:path";
import { which } from "../src/core/exec.ts";
import { corpusDir } from "./corpus.ts";
import { runFluxReference } from "./flux-reference-lib.ts";

const corpus = corpusDir();
if (!which("kubectl") || !corpus) {
  console.log(
    `flux reference: skipped: ${!corpus ? "../shared/corpus is absent" : "kubectl is not on PATH"}`,
  );
  process.exit(0);
}
let passed = 0;
let failed = 0;
for (const repo of fs.readdirSync(corpus).sort()) {
  const root = path.join(corpus, repo);
  if (!fs.statSync(root).isDirectory()) continue;
  const cases = runFluxReference(root, (s) => console.log(s));
  const ok = cases.filter((c) => c.ok).length;
  console.log(`${repo}: ${cases.length} Kustomizations rendered, ${ok} identical`);
  passed += ok;
  failed += cases.length - ok;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
