import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type LoadResult, loadYaml, parseTimestamp } from "./load.ts";
import { deepEqual, isMap, type Value } from "./value.ts";

const FIXTURES = join(import.meta.dirname, "testdata/load");
const CORPUS = join(import.meta.dirname, "../../../../shared/corpus");

/** JSON form of a load result; bigint, NaN, ±Inf and -0 are tagged so they survive. */
function snapshot(r: LoadResult): string {
  const enc = (v: Value): unknown => {
    if (typeof v === "bigint") return { $bigint: v.toString() };
    if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) return { $float: String(v) };
    if (Array.isArray(v)) return v.map(enc);
    if (isMap(v)) return Object.fromEntries(Object.keys(v).map((k) => [k, enc(v[k] as Value)]));
    return v;
  };
  const out = {
    docs: r.docs.map((d) => ({ index: d.index, line: d.line, column: d.column, value: enc(d.value) })),
    diagnostics: r.diagnostics.map((d) => ({
      code: d.code,
      line: d.line,
      column: d.column,
      message: d.message,
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

const one = (text: string): Value | undefined => {
  const r = loadYaml(text, "t.yaml");
  expect(r.diagnostics).toEqual([]);
  return r.docs[0]?.value;
};

const codes = (text: string, limits?: Parameters<typeof loadYaml>[2]) =>
  loadYaml(text, "t.yaml", limits).diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".yaml"));

describe("fixtures", () => {
  for (const f of fixtures) {
    it(f, () => {
      const text = readFileSync(join(FIXTURES, f), "utf8");
      const got = snapshot(loadYaml(text, f));
      const expectedFile = join(FIXTURES, f.replace(/\.yaml$/, ".expected.json"));
      if (process.env.UPDATE_FIXTURES || !existsSync(expectedFile)) writeFileSync(expectedFile, got);
      expect(got).toBe(readFileSync(expectedFile, "utf8"));
      // Error fixtures must report errors; the others none.
      const wantError = text.startsWith("# kubectl-error");
      expect(JSON.parse(got).diagnostics.length > 0).toBe(wantError);
    });
  }
});

const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
const haveKubectl = kubectl.status === 0 && !process.env.HOMEOPS_NO_KUBECTL;
if (!haveKubectl) console.log("load.test: kubectl not available; skipping the live differential test");

describe.skipIf(!haveKubectl)("differential against kubectl kustomize", () => {
  for (const f of fixtures) {
    const text = readFileSync(join(FIXTURES, f), "utf8");
    if (!text.startsWith("# kubectl")) continue;
    it(f, () => {
      const dir = mkdtempSync(join(tmpdir(), "homeops-load-"));
      try {
        writeFileSync(join(dir, "r.yaml"), text);
        writeFileSync(join(dir, "kustomization.yaml"), "resources:\n- r.yaml\n");
        const res = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
        const ours = loadYaml(text, f);
        if (text.startsWith("# kubectl-error")) {
          expect(res.status).not.toBe(0);
          expect(ours.diagnostics.length).toBeGreaterThan(0);
          return;
        }
        expect(res.stderr).toBe("");
        // kubectl's output is plain YAML; decode it and compare values by resource name.
        const theirs = loadYaml(res.stdout, "out").docs.map((d) => d.value);
        const name = (v: Value) => (isMap(v) && isMap(v.metadata) ? v.metadata.name : undefined);
        expect(theirs.length).toBe(ours.docs.length);
        for (const t of theirs) {
          const m = ours.docs.find((d) => name(d.value) === name(t));
          expect(m && deepEqual(m.value, t), `${f}: ${String(name(t))}`).toBe(true);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("scalars", () => {
  it("resolves as yaml.v3", () => {
    expect(
      one("a: 2001-12-14\nb: 0777\nc: 0x1F\nd: 1.0\ne: on\nf: yes\ng: True\nh: 12345678901234567890\n"),
    ).toEqual({
      a: "2001-12-14T00:00:00Z",
      b: 511,
      c: 31,
      d: 1,
      e: "on",
      f: "yes",
      g: true,
      h: 12345678901234567890n,
    });
  });

  it("keeps floats Go's way: overflow stays a string, -0.0 is negative zero, .inf/.nan are numbers", () => {
    const v = one("a: 1e400\nb: -0.0\nc: -.Inf\nd: .nan\ne: -0\n") as Record<string, Value>;
    expect(v.a).toBe("1e400");
    expect(Object.is(v.b, -0)).toBe(true);
    expect(v.c).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(v.d)).toBe(true);
    expect(Object.is(v.e, 0)).toBe(true);
  });

  it("formats timestamps as Go's time.Time JSON", () => {
    expect(parseTimestamp("2001-12-14t21:59:43.10-05:00")).toBe("2001-12-14T21:59:43.1-05:00");
    expect(parseTimestamp("2001-12-14 21:59:43.10")).toBe("2001-12-14T21:59:43.1Z");
    expect(parseTimestamp("2001-12-14T21:59:43+00:00")).toBe("2001-12-14T21:59:43Z");
    expect(parseTimestamp("2001-12-14T21:59:43")).toBeUndefined();
    expect(parseTimestamp("2001-02-29")).toBeUndefined();
    expect(parseTimestamp("2000-02-29")).toBe("2000-02-29T00:00:00Z");
  });
});

describe("anchors and aliases", () => {
  it("copies aliased values so callers can mutate them", () => {
    const v = one("a: &x {k: [1]}\nb: *x\n") as Record<string, Record<string, Value[]>>;
    v.a?.k?.push(2);
    expect(v.b?.k).toEqual([1]);
  });

  it("reads `*app:` as the alias app followed by a colon, with original positions", () => {
    const r = loadYaml(
      'n: &app name\nm:\n  *app: 1\n  "*app: q": 2\n  s: |\n    *app: x\n  z: *app\n',
      "t.yaml",
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.docs[0]?.value).toEqual({ n: "name", m: { name: 1, "*app: q": 2, s: "*app: x\n", z: "name" } });
    expect(r.docs[0]?.positionOf(["m", "z"])).toEqual({ line: 7, column: 6 });
    expect(r.docs[0]?.positionOf(["m", "name"])).toEqual({ line: 3, column: 9 });
  });

  it("rejects an anchor that contains itself", () => {
    expect(codes("a: &x [1, *x]\n")).toEqual(["YAML008@1:11"]);
  });

  it("stops alias bombs (billion laughs)", () => {
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(",")}]`,
      );
    const start = performance.now();
    expect(codes(`${lines.join("\n")}\n`)).toEqual([expect.stringMatching(/^YAML005@/)]);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe("hostile input", () => {
  it("refuses deep flow nesting without overflowing the stack", () => {
    expect(codes(`a: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`)).toEqual([
      expect.stringMatching(/^YAML006@1:/),
    ]);
  });

  it("refuses deep block nesting", () => {
    const text = `${Array.from({ length: 5000 }, (_, i) => `${" ".repeat(i)}k:`).join("\n")} 1\n`;
    expect(codes(text)).toEqual([expect.stringMatching(/^YAML006@/)]);
    expect(codes(`${"- ".repeat(100_000)}x\n`)).toEqual([expect.stringMatching(/^YAML006@/)]);
  });

  it("loads nesting up to the limit", () => {
    expect(codes(`a: ${"[".repeat(400)}${"]".repeat(400)}\n`)).toEqual([]);
  });

  it("refuses deep nesting built from aliases", () => {
    const lines = ["a0: &a0 [x]"];
    for (let i = 1; i < 100; i++) lines.push(`a${i}: &a${i} [*a${i - 1}]`);
    expect(codes(`${lines.join("\n")}\n`, { maxDepth: 50 })).toEqual([expect.stringMatching(/^YAML006@/)]);
  });

  it("refuses files over the size limit", () => {
    expect(codes("a: 1\n".repeat(100), { maxBytes: 100 })).toEqual(["YAML007@undefined:undefined"]);
  });

  it("never throws on garbage", () => {
    for (const t of [
      "{",
      "[",
      "a: [",
      "? ? ?",
      "&",
      "*",
      "!",
      "!<>",
      "- - -",
      ":::",
      "\t",
      "'",
      '"',
      "%YAML 9\n---\n",
    ]) {
      expect(() => loadYaml(t, "t.yaml")).not.toThrow();
    }
  });
});

describe("documents", () => {
  it("skips empty, comment-only and null documents and keeps stream indexes", () => {
    // A comment before the first `---` belongs to that document, as in the `yaml` package.
    const r = loadYaml("# c\n---\na: 1\n---\n---\n~\n---\nb: 2", "t.yaml");
    expect(r.diagnostics).toEqual([]);
    expect(r.docs.map((d) => [d.index, d.line])).toEqual([
      [0, 3],
      [3, 8],
    ]);
  });

  it("reports duplicate keys at the second key", () => {
    const r = loadYaml("a: 1\nb:\n  c: 1\n  c: 2\n", "t.yaml");
    expect(r.diagnostics).toMatchObject([{ code: "YAML002", line: 4, column: 3 }]);
    expect(r.diagnostics[0]?.message).toBe('mapping key "c" already defined at line 3');
  });

  it("stringifies top-level non-string keys and rejects nested ones", () => {
    expect(one("1: a\ntrue: b\n")).toEqual({ "1": "a", true: "b" });
    expect(codes("a:\n  1: x\n")).toEqual(["YAML003@2:3"]);
    expect(loadYaml("a:\n  1: x\n", "t", { nonStringKeys: "stringify" }).docs[0]?.value).toEqual({
      a: { "1": "x" },
    });
  });
});

// Parse errors here must be ones goyaml also makes: the only failures in the corpus are Helm templates.
describe.skipIf(!existsSync(CORPUS))("corpus", () => {
  it("loads every YAML file without throwing", () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(e)) files.push(p);
      }
    };
    walk(CORPUS);
    const failing: string[] = [];
    for (const f of files) {
      const r = loadYaml(readFileSync(f, "utf8"), f);
      if (r.diagnostics.length > 0) failing.push(f);
    }
    expect(files.length).toBeGreaterThan(100);
    for (const f of failing) expect(f).toMatch(/\/templates\//);
  });
});
