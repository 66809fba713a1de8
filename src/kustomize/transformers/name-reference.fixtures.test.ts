import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Value } from "../../core/yaml/value.ts";
import { byId, miniBuild } from "./name-reference.testkit.ts";

// Fixtures of the namespace, prefix/suffix, labels, annotations and name-reference transformers, with kubectl
// (kustomize v5.5.0) output committed beside them: `expected.yaml`, or `expected-error.txt` for failing builds.
const TOPICS = ["namespace", "prefix-suffix", "labels", "annotations", "name-reference"];
const root = join(import.meta.dirname, "testdata");

const cases = TOPICS.flatMap((t) => {
  const dir = join(root, t);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((c) => existsSync(join(dir, c, "kustomization.yaml")))
    .map((c) => ({ name: `${t}/${c}`, dir: join(dir, c) }));
});

function parseYaml(text: string): Value[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Value)
    .filter((v) => v !== null);
}

describe("transformer fixtures (kubectl goldens)", () => {
  it("has fixtures", () => expect(cases.length).toBeGreaterThan(5));
  for (const c of cases) {
    it(c.name, () => {
      const { resources, diags } = miniBuild(c.dir);
      const errFile = join(c.dir, "expected-error.txt");
      if (existsSync(errFile)) {
        const expected = readFileSync(errFile, "utf8");
        const errors = diags.items.filter((d) => d.severity === "error");
        expect(errors.length).toBeGreaterThan(0);
        // Our message carries kustomize's own wording after our context prefix.
        const key = readFileSync(join(c.dir, "error-key.txt"), "utf8").trim();
        expect(expected).toContain(key);
        expect(errors.map((e) => e.message).join("\n")).toContain(key);
        return;
      }
      expect(diags.items).toEqual([]);
      const expected = parseYaml(readFileSync(join(c.dir, "expected.yaml"), "utf8"));
      const actual = JSON.parse(JSON.stringify(resources.map((r) => r.obj))) as Value[];
      expect(byId(actual)).toEqual(byId(expected));
      expect(actual.length).toBe(expected.length);
    });
  }
});

const kubectl = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!kubectl)("transformer fixtures still match live kubectl", () => {
  if (!kubectl) console.log("kubectl not found: live differential check of transformer fixtures skipped");
  for (const c of cases) {
    it(c.name, () => {
      let out = "";
      let err = "";
      try {
        out = execFileSync("kubectl", ["kustomize", c.dir], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
      } catch (e) {
        err = String((e as { stderr?: string }).stderr ?? e);
      }
      if (existsSync(join(c.dir, "expected-error.txt"))) {
        expect(err).toContain(readFileSync(join(c.dir, "error-key.txt"), "utf8").trim());
      } else {
        expect(byId(parseYaml(out))).toEqual(
          byId(parseYaml(readFileSync(join(c.dir, "expected.yaml"), "utf8"))),
        );
      }
    });
  }
});
