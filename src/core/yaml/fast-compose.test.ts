import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fastCompose, fastDecode } from "./fast-compose.ts";
import { type LoadResult, loadYaml, PLAIN as plain } from "./load.ts";
import { emptyKeys, isMap, isSeq, type Value } from "./value.ts";

/** Everything a caller can observe of a load: diagnostics, documents, values with empty markers, positions. */
function observe(r: LoadResult): unknown {
  return {
    diagnostics: r.diagnostics,
    docs: r.docs.map((d) => {
      const positions: string[] = [];
      const walk = (v: Value, p: (string | number)[]): void => {
        positions.push(`${JSON.stringify(p)}@${JSON.stringify(d.positionOf(p))}`);
        if (isMap(v)) for (const k of Object.keys(v)) walk(v[k] as Value, [...p, k]);
        else if (isSeq(v)) for (const [i, x] of v.entries()) walk(x, [...p, i]);
      };
      walk(d.value, []);
      return { index: d.index, line: d.line, column: d.column, value: tagged(d.value), positions };
    }),
  };
}

/** The value with types and empty-key markers spelled out (toEqual would not see them). */
function tagged(v: Value): unknown {
  if (isMap(v)) {
    const out: Record<string, unknown> = { "<empty>": emptyKeys(v) };
    for (const k of Object.keys(v)) out[`k:${k}`] = tagged(v[k] as Value);
    return out;
  }
  if (isSeq(v)) return v.map(tagged);
  return `${typeof v}:${String(v)}`;
}

function expectSameAsGeneralPath(text: string): void {
  expect(observe(loadYaml(text, "f.yaml"))).toEqual(observe(loadYaml(text, "f.yaml", { fast: false })));
}

const HANDLED = [
  "a: 1\nb: two\nc: true\nd: null\ne:\nf: ~\n",
  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x # trailing comment\n  labels:\n    app: y\ndata:\n  k: v\n",
  "list:\n- a\n- b\n-\n- c: 1\n  d: 2\n- - x\n  - y\nnext: 1\n",
  "list:\n  - a\n  -   b: 1\n      c: 2\n  # comment between items\n\n  - 3\n",
  "- top\n- level\n",
  "s: 'it''s'\nd: \"a\\tb\\u00e9\\\"\"\ne: ''\nq: \"\"\n",
  "multi: \"first\n  second\n\n  third\"\nsingle: 'one\n  two'\n",
  "plain: this is\n  a folded\n\n  plain scalar\n  with colons:inside and a#hash\nnext: x\n",
  "desc: The `value` must be\n  'quoted' or \"double\" or [bracketed] or *starred*\n",
  "lit: |\n  line 1\n    indented\n\n  line 3\nstrip: |-\n  x\n\nfold: >\n  a\n  b\n\n  c\nfoldstrip: >-\n  long text\n",
  "leading: |\n\n  after blank\nend: |\n  last",
  "fold: >\n  one\n  two\n\n  three\n    more\n    indented\n  back\n\n\n    spaced after empties\n  end\nstrip: >-\n  x\n   y\n  z\n",
  'json: >\n  {\n    "k": 1,\n    "l": [\n\n      2\n    ]\n  }\nnext: >\n  p\n    q\n\n\n  r\n',
  "nested:\n  deeper: >\n    a\n\n     b\n\n    c\n  after: 1\n",
  'flow: [a, "b", \'c\', 1, [x, y], {k: v}]\nmap: {a: 1, "b": two, c: [1, 2]}\nempty: []\nemptymap: {}\n',
  "multi:\n  [a,\n   b]\n",
  "url: http://example.com:8080/x\ntime: 2001-12-14t21:59:43.10-05:00\noct: 0777\nhex: 0x1F\nf: 1e3\non: on\n",
  "ints: [0, 00, 012, 7, 123456789012345, 1234567890123456, 9007199254740993, 18446744073709551615, -0, +5, -12, 1_000, 2001, 08]\nwords: [object, o, on, true, True, TRUE, false, null, Null, ~, y, n, no, off, tRue]\n",
  "---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n",
  "# comment only\n",
  "",
  "---\n",
  "a: 1\n---\n",
  "key with spaces : value\n'quoted key': 1\n\"dq key\": 2\n-dash: 3\n?q: 4\n:c: 5\n",
  "a:\n  b:\n    c:\n      d: deep\n  e: back\nf: top\n",
  "app: &app web\nname: *app\nlabels: &labels\n  a: 1\nmore:\n  *app : keyed by an alias\n  <<: *labels\nlist: &l\n- x\nagain: *l\n",
  "- &item\n  k: v\n- *item\n- &s scalar # comment\n",
]
  // A few generated shapes: long documents, wide mappings.
  .concat([
    Array.from({ length: 200 }, (_, i) => `key${i}: value ${i}`).join("\n"),
    Array.from({ length: 50 }, (_, i) => `${" ".repeat(i * 2)}k${i}:`).join("\n") + " leaf\n",
  ]);

/** Errors and oddities: the fast path must give up on them or agree with the general path. */
const INVALID = [
  "<<: *base\n",
  "k: |\n    indented more\n  less\n",
  "k: v\n  x: bad indentation\n",
  "k: [a, b\n",
  "dup: 1\ndup: 2\n",
  "a: b: c\n",
  "- a\nb: c\n",
  "1: one\ntrue: yes\n",
  'k: "unterminated\n',
  "k: v\n  - item\n",
  "a: 1\n...\n",
];

const GIVES_UP = [
  "a: &anchor\nb: 1\n",
  "*app: value\n",
  "- &a k: v\n",
  "a: [*x]\n",
  "a: !!str 1\n",
  "%YAML 1.2\n---\na: 1\n",
  "? complex\n: key\n",
  "a:\tb\n",
  "a: b\r\nc: d\r\n",
  "a: |+\n  keep\n\n",
  "a: |2\n   explicit\n",
  "just a scalar document\n",
  "[a, b]\n",
];

/** Input the composer takes but only the Walker decodes: the decoder must give up on it. */
const WALKER_ONLY = [
  "a: &x 1\nb: *x\n",
  "base: {a: 1}\n<<: {b: 2}\n",
  "m: {<<: {a: 1}}\n",
  "dup: 1\ndup: 2\n",
  "m: {a: 1, a: 2}\n",
  "1: one\n",
  "nested:\n  true: yes\n",
  "m: {2001-12-14: day}\n",
  "null: x\n",
];

const fix = (text: string): string => text;

describe("fastDecode", () => {
  it("decodes the common shapes straight to values", () => {
    for (const text of HANDLED.filter((t) => !/[&*]/.test(t)))
      expect(fastDecode(text, fix, plain), text).toBeDefined();
  });

  it.each(WALKER_ONLY)("leaves what only the Walker handles to the composer: %j", (text) => {
    expect(fastDecode(text, fix, plain)).toBeUndefined();
    expect(fastCompose(text)).toBeDefined();
    expectSameAsGeneralPath(text);
  });

  it("gives each document's value, root offset and null-item flag", () => {
    const d = fastDecode("a: 1\n---\n---\n  - x\n  -\n", fix, plain);
    expect(d).toEqual({
      values: [{ a: 1 }, null, ["x", null]],
      starts: [0, 8, 15],
      nullItems: [false, false, true],
      printable: true,
    });
  });

  it("says whether every string is printable ASCII", () => {
    const printable = (text: string) => fastDecode(text, fix, plain)?.printable;
    expect(printable("a: 'it''s'\nb: \"plain \\\" quoted\"\nc: |\n  x\n")).toBe(false); // an escape
    expect(printable("a: 'it''s'\nb: \"no escape\"\nc: |\n  x\n  y\nd: [\"q\", 'r']\n")).toBe(true);
    expect(printable('a: "\\t"\n')).toBe(false);
    expect(printable('a: "\\u00e9"\n')).toBe(false);
    expect(printable("a: caf\u00e9\n")).toBe(false);
    expect(printable('a: {k: "\\x01"}\n')).toBe(false);
  });
});

describe("fastCompose", () => {
  it.each(HANDLED)("loads like the general path: %j", (text) => {
    expectSameAsGeneralPath(text);
  });

  it("takes the common shapes itself", () => {
    for (const text of HANDLED) expect(fastCompose(text), text).toBeDefined();
  });

  it.each(INVALID)("agrees with the general path on broken input: %j", (text) => {
    expectSameAsGeneralPath(text);
  });

  it.each(GIVES_UP)("leaves unusual input to the general path: %j", (text) => {
    expect(fastCompose(text)).toBeUndefined();
    expectSameAsGeneralPath(text);
  });

  it("agrees with the general path on mutated documents (deterministic fuzz)", () => {
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pieces = [":", " ", "\n", "#", "-", "- ", ": ", "'", '"', "|", ">", "|-", "[", "]", "{", "}", ","];
    const more = ["  ", "\n  ", "\n- ", "---\n", "\\", "a: b", "\n\n", "...\n", "&a ", "*a", "!t "];
    const all = [...pieces, ...more];
    for (let it = 0; it < 1500; it++) {
      const seeds = [...HANDLED, ...INVALID];
      let t = seeds[Math.floor(rnd() * seeds.length)] as string;
      for (let m = 0; m < 1 + Math.floor(rnd() * 3); m++) {
        const i = Math.floor(rnd() * (t.length + 1));
        const r = rnd();
        if (r < 0.45) t = t.slice(0, i) + all[Math.floor(rnd() * all.length)] + t.slice(i);
        else if (r < 0.75) t = t.slice(0, i) + t.slice(i + 1 + Math.floor(rnd() * 3));
        else {
          const j = Math.floor(rnd() * t.length);
          t = t.slice(0, i) + t.slice(j, j + 1 + Math.floor(rnd() * 6)) + t.slice(i);
        }
      }
      const fast = observe(loadYaml(t, "f.yaml"));
      const general = observe(loadYaml(t, "f.yaml", { fast: false }));
      if (JSON.stringify(fast) !== JSON.stringify(general))
        expect({ input: t, fast }).toEqual({ input: t, fast: general });
    }
  });

  const corpus = path.resolve(import.meta.dirname, "../../../../shared/corpus");
  it.skipIf(!fs.existsSync(corpus))("loads every YAML file of ../shared/corpus like the general path", () => {
    const files = fs
      .readdirSync(corpus, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => path.join(e.parentPath, e.name))
      .filter((f) => fs.statSync(f).size < 256 * 1024)
      .sort();
    expect(files.length).toBeGreaterThan(100);
    let fast = 0;
    for (const f of files) {
      const text = fs.readFileSync(f, "utf8");
      if (fastCompose(text.replace(/^\ufeff/, ""))) fast++;
      const a = JSON.stringify(observe(loadYaml(text, f)));
      const b = JSON.stringify(observe(loadYaml(text, f, { fast: false })));
      if (a !== b) expect({ file: f, a }).toEqual({ file: f, a: b });
    }
    // Most real files take the fast path; a sudden drop means it gives up where it should not.
    expect(fast / files.length).toBeGreaterThan(0.8);
  });
});
