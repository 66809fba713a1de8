import { describe, expect, it } from "vitest";
import { which } from "../src/core/exec.ts";
import { runConformance } from "./conformance-lib.ts";
import { corpusDir } from "./corpus.ts";

/**
 * `npm run conformance` as a test: every kustomization directory of ../shared/corpus, homeops against
 * `kubectl kustomize`, byte for byte. Skipped (with the reason printed) without kubectl or the corpus.
 */
const corpus = corpusDir();
const kubectl = which("kubectl");
const reason = !kubectl ? "kubectl is not on PATH" : !corpus ? "../shared/corpus is absent" : "";
if (reason) console.log(`conformance test skipped: ${reason}`);

describe.skipIf(reason !== "")("conformance with kubectl kustomize on ../shared/corpus", () => {
  it("renders every directory byte-identically or reports the same cause", { timeout: 600_000 }, async () => {
    const summary = await runConformance(corpus!);
    const failures = summary.cases.filter((c) => !c.ok).map((c) => `${c.dir.dir}: ${c.why}`);
    console.log(`conformance: ${summary.passed} passed, ${summary.failed} failed`);
    expect(failures).toEqual([]);
    expect(summary.passed).toBeGreaterThan(400);
  });
});
