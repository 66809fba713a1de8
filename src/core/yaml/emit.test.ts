/**
 * Goldens in testdata/emit/ come from `kubectl kustomize` (kustomize v5.5.0); regenerate them with
 *   npx tsx scripts/gen-emit-golden.ts
 * These tests only read the committed files; the live differential test at the end runs when kubectl exists.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  analyze,
  compareGoYamlKeys,
  EmitTexts,
  emitYaml,
  emitYamlPieces,
  emitYamlStream,
  formatFloatG,
  multilineTextStyle,
  selectStringStyle,
  yamlNumberText,
} from "./emit.ts";
import {
  analyzeByCharacter,
  decodeValue,
  kubectlAvailable,
  kubectlKustomize,
  randomTrickyString,
  randomValue,
  seededRandom,
  splitDocsByName,
  wrapCase,
} from "./emit-test-support.ts";
import { deepClone, isMap, isShared, newMap, share, type Value } from "./value.ts";

const DIR = join(import.meta.dirname, "testdata/emit");
const GROUPS = [
  "strings",
  "string-keys",
  "strings-nested",
  "strings-seq",
  "numbers",
  "key-sort",
  "special-keys",
  "structures",
  "deep",
  "random",
];

interface FixtureCase {
  name: string;
  value: unknown;
  error?: string;
  expected?: string;
}

function loadCases(group: string): FixtureCase[] {
  return (JSON.parse(readFileSync(join(DIR, `${group}.json`), "utf8")) as { cases: FixtureCase[] }).cases;
}

function firstDiff(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const from = Math.max(0, a.lastIndexOf("\n", i - 1) + 1);
  return `got ${JSON.stringify(a.slice(from, i + 60))}\nwant ${JSON.stringify(b.slice(from, i + 60))}`;
}

describe("emitYaml goldens from kubectl kustomize", () => {
  for (const group of GROUPS) {
    it(group, () => {
      const cases = loadCases(group);
      const stream = readFileSync(join(DIR, `${group}.expected.yaml`), "utf8");
      const docs = splitDocsByName(stream);
      expect(docs.size).toBe(cases.length);
      const failures: string[] = [];
      const byName = new Map<string, Value>();
      for (const c of cases) {
        const resource = wrapCase(c.name, decodeValue(c.value));
        byName.set(c.name, resource);
        const want = docs.get(c.name);
        let got: string;
        try {
          got = emitYaml(resource);
        } catch (e) {
          got = `THROWN ${String(e)}`;
        }
        if (got !== want) failures.push(`${c.name}: ${firstDiff(got, want ?? "")}`);
      }
      expect(failures.slice(0, 10).join("\n\n")).toBe("");
      // The whole stream, in kubectl's document order, exercises the `---` joining too.
      expect(emitYamlStream([...docs.keys()].map((n) => byName.get(n) as Value))).toBe(stream);
    });
  }

  it("errors: rejects what kustomize's YAML round trip rejects", () => {
    for (const c of loadCases("errors")) {
      const resource = wrapCase(c.name, decodeValue(c.value));
      if (c.error) expect(() => emitYaml(resource), c.name).toThrow(/yaml: /);
      else expect(emitYaml(resource), c.name).toBe(c.expected);
    }
  });
});

describe("emit details", () => {
  it("formats floats like strconv 'g' with shortest precision", () => {
    expect(formatFloatG(1234567.5)).toBe("1.2345675e+06");
    expect(formatFloatG(123456.5)).toBe("123456.5");
    expect(formatFloatG(0.00001)).toBe("1e-05");
    expect(formatFloatG(0.0001)).toBe("0.0001");
    expect(formatFloatG(1e21)).toBe("1e+21");
    expect(formatFloatG(1.5e-300)).toBe("1.5e-300");
    expect(yamlNumberText(1.0)).toBe("1");
    expect(yamlNumberText(-0)).toBe("0");
    expect(yamlNumberText(2 ** 64)).toBe("1.8446744073709552e+19");
    expect(yamlNumberText(2n ** 64n - 1n)).toBe("18446744073709551615");
    // Safe integers take a shortcut; the JSON round trip gives the same digits.
    for (const n of [0, 7, -12, 1e15, 2 ** 53 - 1, -(2 ** 53 - 1)])
      expect(yamlNumberText(n)).toBe(BigInt(n).toString());
    expect(yamlNumberText(2 ** 53)).toBe("9007199254740992");
    expect(yamlNumberText(1e21)).toBe("1e+21");
  });

  it("orders keys like goyaml.v2's keyList", () => {
    const keys = ["zeta", "b-2", "a10", "a9", "a", "A", "_u", "-d"];
    expect(keys.sort(compareGoYamlKeys)).toEqual(["-d", "_u", "A", "a", "a9", "a10", "b-2", "zeta"]);
  });

  it("prints lone surrogates as U+FFFD, as Go's JSON encoder does", () => {
    const m = newMap();
    m.k = "a\ud800b";
    expect(emitYaml(m)).toBe("k: a\ufffdb\n");
  });

  it("joins documents with ---", () => {
    const a = newMap();
    a.x = 1;
    expect(emitYamlStream([a, a])).toBe("x: 1\n---\nx: 1\n");
    expect(emitYamlStream([])).toBe("");
    expect(emitYaml([])).toBe("[]\n");
    expect(emitYaml("x")).toBe("x\n");
  });
});

describe("live differential against kubectl", () => {
  const available = kubectlAvailable();
  if (!available) console.log("skipping live differential test: kubectl is not on PATH");
  it.skipIf(!available)(
    "matches kubectl kustomize on seeded random strings and trees",
    () => {
      const rnd = seededRandom(Number(process.env.EMIT_SEED ?? 99));
      const resources: Value[] = [];
      for (let i = 0; i < 200; i++) {
        const s = randomTrickyString(rnd);
        const spec = newMap();
        spec.v = s;
        const key = s.replaceAll("\u0085", "");
        spec[key] = [s, [s]];
        const resource = wrapCase(`live${i}`, spec);
        try {
          emitYaml(resource);
        } catch {
          continue; // kustomize fails on these too (covered by the errors goldens)
        }
        resources.push(resource);
      }
      for (let i = 0; i < 200; i++) {
        const resource = wrapCase(`tree${i}`, randomValue(rnd));
        try {
          emitYaml(resource);
        } catch {
          continue;
        }
        resources.push(resource);
      }
      const docs = splitDocsByName(kubectlKustomize(resources));
      const failures: string[] = [];
      for (const r of resources) {
        const name = ((r as { metadata: { name: string } }).metadata as { name: string }).name;
        const want = docs.get(name) ?? "";
        const got = emitYaml(r);
        if (got !== want) failures.push(`${name}: ${firstDiff(got, want)}`);
      }
      expect(failures.slice(0, 10).join("\n\n")).toBe("");
    },
    60_000,
  );
});

describe("scalar analysis", () => {
  it("the regular-expression analysis equals libyaml's character loop", () => {
    const alphabet = [
      "a",
      "Z",
      "0",
      " ",
      "  ",
      "\t",
      "\n",
      "\r",
      "\u0085",
      "\u2028",
      "\u2029",
      ":",
      "#",
      "-",
      "?",
      "!",
      "&",
      "*",
      "|",
      ">",
      "'",
      '"',
      "%",
      "@",
      "`",
      ",",
      "[",
      "]",
      "{",
      "}",
      ".",
      "---",
      "...",
      "\u0000",
      "\u007f",
      "\u00a0",
      "é",
      "\ufeff",
      "\ufffe",
      "😀",
      "\ud800",
      "\udc00",
      "\ue000",
      "\u00ff",
    ];
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const samples = [
      "",
      "a",
      "a:",
      "a: b",
      "a:b",
      "#a",
      "a #b",
      "a#b",
      "- a",
      "-a",
      ":",
      "? x",
      "--- a",
      "...",
      " a",
      "a ",
      "\na",
      "a\n",
      "a\n b",
      "a \nb",
    ];
    for (let i = 0; i < 20000; i++) {
      let s = "";
      for (let j = rnd(8); j >= 0; j--) s += alphabet[rnd(alphabet.length)];
      samples.push(s);
    }
    // Printable ASCII with line breaks, for the multi-line shortcut below.
    const ascii = alphabet.filter((a) => /^[\n\x20-\x7e]+$/.test(a));
    for (let i = 0; i < 5000; i++) {
      let s = "\n";
      for (let j = rnd(10); j >= 0; j--) {
        const piece = ascii[rnd(ascii.length)] as string;
        s = rnd(2) === 0 ? s + piece : piece + s;
      }
      samples.push(s);
    }
    let multiline = 0;
    for (const s of samples) {
      expect(analyze(s), JSON.stringify(s)).toEqual(analyzeByCharacter(s));
      expect(analyze(s, false, true), `v3 ${JSON.stringify(s)}`).toEqual(analyzeByCharacter(s, true));
      if (/^[\n\x20-\x7e]*\n[\n\x20-\x7e]*$/.test(s)) {
        // The shortcut for multi-line printable text picks the style the full analysis picks.
        multiline++;
        expect(multilineTextStyle(s), JSON.stringify(s)).toBe(selectStringStyle(s, analyze(s, true), false));
      }
    }
    expect(multiline).toBeGreaterThan(4000);
    // go-yaml v3 keeps a tab out of plain and single-quoted scalars but not out of block scalars.
    expect(analyze("a\tb\nc", false, true)).toEqual({
      multiline: true,
      blockPlainAllowed: false,
      singleQuotedAllowed: false,
      blockAllowed: true,
    });
    expect(analyze("a\tb\nc").blockAllowed).toBe(false);
  });
});

describe("reused texts", () => {
  /** Random objects that repeat long strings and whole (shared) subtrees in many places and indentations. */
  function repetitive(seed: number): Value[] {
    const rnd = seededRandom(seed);
    const strings: string[] = [];
    for (let i = 0; i < 12; i++) {
      let s = "";
      while (s.length < 70) s += `${randomTrickyString(rnd)} `;
      strings.push(rnd() < 0.3 ? s.replaceAll(" ", "\n") : s);
    }
    const subtrees: Value[] = [];
    for (let i = 0; i < 4; i++) {
      const t = randomValue(rnd);
      if (isMap(t)) t.text = strings[i] as string;
      if (i % 2 === 0 && isMap(t)) share(t);
      subtrees.push(t);
    }
    const pick = (depth: number): Value => {
      const r = rnd();
      if (depth > 4 || r < 0.3) return strings[Math.floor(rnd() * strings.length)] as string;
      if (r < 0.45) return subtrees[Math.floor(rnd() * subtrees.length)] as Value;
      if (r < 0.7) return Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(depth + 1));
      const m = newMap();
      for (let i = Math.floor(rnd() * 4); i >= 0; i--)
        m["k".repeat(1 + Math.floor(rnd() * 30))] = pick(depth + 1);
      return m;
    };
    return Array.from({ length: 40 }, () => {
      const m = newMap();
      m.a = pick(0);
      m.b = pick(0);
      return m;
    });
  }

  it("print shared subtrees and long strings exactly as a fresh print would", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const docs = repetitive(seed);
      const texts = new EmitTexts();
      const reused = docs.map((d) => {
        try {
          return emitYaml(d, texts);
        } catch (e) {
          return `error: ${(e as Error).message}`;
        }
      });
      const fresh = docs.map((d) => {
        const copy = deepClone(d);
        expect(isShared(copy as object)).toBe(false);
        try {
          return emitYaml(copy);
        } catch (e) {
          return `error: ${(e as Error).message}`;
        }
      });
      expect(reused).toEqual(fresh);
      // The reuse did happen: texts remembered the long strings.
      expect(texts.byString.size).toBeGreaterThan(0);
    }
  });

  it("gives large texts printed before as pieces of their own, joining to the whole text", () => {
    const versions = Array.from({ length: 400 }, (_, i) => {
      const v = newMap();
      v.name = `v${i}`;
      v.description = `version ${i} of a long schema\nwith a second line`;
      return v;
    });
    share(versions, true);
    const crd = (name: string) => {
      const m = newMap();
      m.kind = "CustomResourceDefinition";
      m.metadata = { name } as Value;
      const spec = newMap();
      spec.versions = versions;
      m.spec = spec;
      return m;
    };
    const texts = new EmitTexts();
    const first = emitYamlPieces(crd("a"), texts);
    const again = emitYamlPieces(crd("b"), texts);
    expect(first.join("")).toBe(emitYaml(deepClone(crd("a"))));
    expect(again.join("")).toBe(emitYaml(deepClone(crd("b"))));
    // The schemas' text is one piece, the same string both times.
    const large = (pieces: string[]) => pieces.filter((p) => p.length >= 32 * 1024);
    expect(large(first)).toHaveLength(1);
    expect(large(again)).toEqual(large(first));
    expect(first[0]).toMatch(/^kind: CustomResourceDefinition\n/);
    expect(emitYamlPieces(newMap())).toEqual(["{}\n"]);
  });

  it("prints a subtree shared as printable ASCII as it prints a copy", () => {
    const rnd = seededRandom(7);
    for (let i = 0; i < 40; i++) {
      const m = newMap();
      const lines: string[] = [];
      for (let j = 0; j < 4; j++)
        lines.push(`${"x".repeat(Math.floor(rnd() * 90))} ${j % 2 ? "" : " "}y: #z`);
      m.text = lines.join(rnd() < 0.5 ? "\n" : "\n\n");
      m.list = [lines[0] as string, "- a", "'q'", "", " lead", "trail "];
      const holder = newMap();
      holder.spec = m;
      const fresh = emitYaml(deepClone(holder));
      share(m, true);
      expect(emitYaml(holder)).toBe(fresh);
    }
  });
});
