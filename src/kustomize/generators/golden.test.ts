import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
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

/** Every directory under the given testdata roots holding a kustomization and a kubectl golden. */
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

const here = import.meta.dirname;
const roots = [join(here, "testdata"), join(here, "..", "transformers", "testdata")].filter((r) =>
  existsSync(r),
);
const dirs = roots.flatMap(fixtureDirs);

describe("kubectl goldens (generators, images, replicas)", () => {
  it("has fixtures", () => {
    expect(dirs.length).toBeGreaterThan(10);
  });
  for (const dir of dirs) {
    const name = dir.slice(here.length - "generators".length);
    it(name, () => {
      const golden = readGolden(dir)!;
      const { resources, diags } = miniBuild(dir);
      if (golden.kind === "error") {
        expect(diags.hasErrors, "kubectl failed, so must we").toBe(true);
        return;
      }
      expect(diags.items.filter((d) => d.severity === "error")).toEqual([]);
      expect(keyed(resources.map((r) => r.obj))).toEqual(golden.objects);
      // The hash suffix must leave the previous name behind for reference fix-up.
      for (const r of resources) {
        if (r.needsHashSuffix) expect(currentId(r).name.startsWith(`${r.prevIds.at(-1)?.name}-`)).toBe(true);
      }
    });
  }
});

describe("live kubectl differential", () => {
  const why = kubectlUnavailable();
  if (why) {
    it.skip(`skipped: ${why}`, () => {});
    return;
  }
  for (const dir of dirs) {
    it(dir.slice(here.length - "generators".length), () => {
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
