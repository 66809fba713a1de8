import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { which } from "../src/core/exec.ts";
import { corpusDir } from "./corpus.ts";
import { runFluxReference } from "./flux-reference-lib.ts";

/**
 * `npm run flux-reference` as a test: every Flux Kustomization `homeops build` renders from ../shared/corpus equals
 * kubectl kustomize on Flux's generated kustomization plus Flux's post-build steps. Skipped without kubectl or corpus.
 */
const corpus = corpusDir();
const reason = !which("kubectl") ? "kubectl is not on PATH" : !corpus ? "../shared/corpus is absent" : "";
if (reason) console.log(`flux reference test skipped: ${reason}`);

const kubectlMissing = !which("kubectl");
const miniRepos = path.resolve(import.meta.dirname, "..", "src", "flux", "testdata", "repos");

describe.skipIf(kubectlMissing)(
  "homeops build against kubectl + Flux's generator on the project's mini repositories",
  () => {
    for (const repo of fs.readdirSync(miniRepos).sort()) {
      it(repo, { timeout: 120_000 }, () => {
        const cases = runFluxReference(path.join(miniRepos, repo));
        expect(cases.filter((c) => !c.ok).map((c) => `${c.ks}: ${c.why}`)).toEqual([]);
        expect(cases.length).toBeGreaterThan(0);
      });
    }
  },
);

describe.skipIf(reason !== "")("homeops build against kubectl + Flux's generator on ../shared/corpus", () => {
  for (const repo of corpus ? fs.readdirSync(corpus).sort() : []) {
    const root = path.join(corpus!, repo);
    if (!fs.statSync(root).isDirectory()) continue;
    it(repo, { timeout: 300_000 }, () => {
      const cases = runFluxReference(root);
      const failures = cases.filter((c) => !c.ok).map((c) => `${c.ks}: ${c.why}`);
      console.log(`${repo}: ${cases.length - failures.length} passed, ${failures.length} failed`);
      expect(failures).toEqual([]);
      expect(cases.length).toBeGreaterThan(0);
    });
  }
});
