import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { RepoFs } from "../core/repo-fs.ts";
import type { ValueMap } from "../core/yaml/value.ts";
import { KustomizeEngine } from "./build.ts";
import { renderResources } from "./render.ts";

/**
 * End-to-end fixtures: each folder of testdata/cases is a kustomization (or holds one in `app/`). Folders with
 * `expected.yaml` must render to exactly those bytes (produced by `kubectl kustomize`, kustomize v5.5.0);
 * folders with `expected-diagnostics.json` must fail with exactly those error codes and positions.
 * Regenerate goldens with `npx tsx scripts/update-goldens.ts`.
 */
const casesDir = path.join(import.meta.dirname, "testdata", "cases");

function caseTarget(name: string): string {
  const dir = path.join(casesDir, name);
  return fs.existsSync(path.join(dir, "app")) ? path.join(dir, "app") : dir;
}

function caseNames(): string[] {
  return fs
    .readdirSync(casesDir)
    .filter((n) => n !== "shared")
    .filter(
      (n) =>
        fs.existsSync(path.join(casesDir, n, "expected.yaml")) ||
        fs.existsSync(path.join(casesDir, n, "expected-diagnostics.json")),
    )
    .sort();
}

describe("kustomize build fixtures", () => {
  const engine = new KustomizeEngine(new RepoFs(casesDir));
  it("has fixtures", () => {
    expect(caseNames().length).toBeGreaterThan(15);
  });
  for (const name of caseNames()) {
    it(name, () => {
      const result = engine.build(caseTarget(name));
      const expectedYaml = path.join(casesDir, name, "expected.yaml");
      if (fs.existsSync(expectedYaml)) {
        expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        expect(renderResources(result.resources, "yaml").output).toBe(fs.readFileSync(expectedYaml, "utf8"));
      } else {
        const want = JSON.parse(
          fs.readFileSync(path.join(casesDir, name, "expected-diagnostics.json"), "utf8"),
        );
        const got = result.diagnostics
          .filter((d) => d.severity === "error")
          .map((d) => ({ code: d.code, file: d.file, line: d.line, column: d.column }));
        expect(got).toEqual(want);
        expect(result.resources).toEqual([]);
      }
    });
  }
});

describe("the engine's parse caches", () => {
  it("read a file once for both caches unless parts of it are frozen", () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "homeops-parse-"));
    try {
      fs.writeFileSync(path.join(dir, "kustomization.yaml"), "resources:\n- crd.yaml\n");
      fs.writeFileSync(
        path.join(dir, "crd.yaml"),
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x\nspec:\n  versions:\n  - name: v1\n",
      );
      const engine = new KustomizeEngine(new RepoFs(dir));
      const k = path.join(dir, "kustomization.yaml");
      // Discovery reads kustomization files as resources first; the build then reads them as targets.
      const asResource = engine.parseResources(k).docs[0]?.value;
      expect(engine.parse(k).docs[0]?.value).toBe(asResource);
      // And the other way round.
      const other = path.join(dir, "other.yaml");
      fs.writeFileSync(other, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n");
      const asTarget = engine.parse(other).docs[0]?.value;
      expect(engine.parseResources(other).docs[0]?.value).toBe(asTarget);
      const crd = path.join(dir, "crd.yaml");
      const shared = engine.parseResources(crd).docs[0]?.value as ValueMap;
      const own = engine.parse(crd).docs[0]?.value as ValueMap;
      expect(own).not.toBe(shared);
      expect(Object.isFrozen((shared.spec as ValueMap).versions)).toBe(true);
      expect(Object.isFrozen((own.spec as ValueMap).versions)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
