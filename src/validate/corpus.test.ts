import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnosticsJson } from "../core/print-diagnostics.ts";
import { checkRepository } from "./check.ts";

/**
 * `homeops check` on the five real repositories of ../shared/corpus: it never crashes, its output is the same on
 * every run, and the errors it reports are the known true problems (each explained below). Skipped when the
 * corpus is absent.
 */
const corpus = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "corpus");
const present = fs.existsSync(corpus);

const EXPECTED_ERRORS: Record<string, string[]> = {
  "bjw-s-labs__home-ops": [],
  // TIMEZONE and EXTERNAL_DOMAIN are in neither cluster-settings nor cluster-secrets: strict substitution fails.
  "carldanley__home-ops": [
    "CHK201 kubernetes/apps/media/recyclarr/app/helmrelease.yaml:60:19",
    "CHK201 kubernetes/apps/monitoring/grafana/app/helmrelease.yaml:80:35",
  ],
  "fluxcd__flux2-kustomize-helm-example": [],
  "onedr0p__home-ops": [],
  // FluxInstance flux-system/flux is both in flux-system/ (applied by the root) and in flux-gitops/ (applied by
  // flux-gitops-ks), with different content in non-prod-gen2: each reconcile overwrites the other (in prod-gen2
  // the copies are identical: warning CHK305).
  "pbabbott__home-kubernetes": ["CHK301 clusters/non-prod-gen2/flux-gitops/fluxinstance.yaml:4:9"],
};

describe.skipIf(!present)("homeops check on ../shared/corpus", () => {
  for (const [repo, expected] of Object.entries(EXPECTED_ERRORS)) {
    it(`${repo}: only the known true errors`, () => {
      const r = checkRepository(path.join(corpus, repo));
      const errors = r.diagnostics
        .filter((d) => d.severity === "error")
        .map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`);
      expect(errors).toEqual(expected);
    });
  }

  it("is deterministic", () => {
    const root = path.join(corpus, "carldanley__home-ops");
    const a = formatDiagnosticsJson(checkRepository(root).diagnostics);
    const b = formatDiagnosticsJson(checkRepository(root).diagnostics);
    expect(b).toBe(a);
  });
});
