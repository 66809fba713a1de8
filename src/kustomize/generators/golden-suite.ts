/** Test support only: registers vitest cases comparing mini-build output with committed kubectl goldens. */
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { currentId } from "../resource.ts";
import {
  keyed,
  kubectlUnavailable,
  maybeUpdateGolden,
  miniBuild,
  parseKubectlOutput,
  readGolden,
  runKubectl,
} from "./mini-build.ts";

/** Every directory under `root` holding a kustomization and a kubectl golden. */
function fixtureDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (existsSync(join(d, "kustomization.yaml"))) {
      maybeUpdateGolden(d);
      if (readGolden(d)) out.push(d);
    }
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
  };
  walk(root);
  return out.sort();
}

/**
 * Golden cases for every fixture under `root`; set KUSTOMIZE_UPDATE_GOLDENS=1 to rewrite the goldens from
 * kubectl. When kubectl is on PATH the goldens are also checked against it live.
 */
export function goldenSuite(title: string, root: string, minCases: number): void {
  const dirs = fixtureDirs(root);
  const label = (d: string) => relative(root, d) || ".";
  describe(`${title}: kubectl goldens`, () => {
    it("has fixtures", () => {
      expect(dirs.length).toBeGreaterThanOrEqual(minCases);
    });
    for (const dir of dirs) {
      it(label(dir), () => {
        const golden = readGolden(dir)!;
        const { resources, diags } = miniBuild(dir);
        if (golden.kind === "error") {
          expect(diags.hasErrors, `kubectl failed, so must we:\n${golden.text}`).toBe(true);
          return;
        }
        expect(diags.items.filter((d) => d.severity === "error")).toEqual([]);
        expect(keyed(resources.map((r) => r.obj))).toEqual(golden.objects);
        // The hash suffix must leave the previous name behind for reference fix-up.
        for (const r of resources) {
          if (r.needsHashSuffix)
            expect(currentId(r).name.startsWith(`${r.prevIds.at(-1)?.name}-`)).toBe(true);
        }
      });
    }
  });
  describe(`${title}: live kubectl differential`, () => {
    const why = kubectlUnavailable();
    if (why) {
      it.skip(`skipped: ${why}`, () => {});
      return;
    }
    for (const dir of dirs) {
      it(label(dir), () => {
        const live = runKubectl(dir);
        const golden = readGolden(dir)!;
        if (!live.ok) {
          expect(golden.kind, `kubectl fails now: ${live.err}`).toBe("error");
          return;
        }
        expect(golden.kind).toBe("ok");
        expect(parseKubectlOutput(live.out)).toEqual(golden.kind === "ok" ? golden.objects : undefined);
      });
    }
  });
}
