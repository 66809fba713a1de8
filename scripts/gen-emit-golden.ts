/**
 * Regenerates the emitter goldens under src/core/yaml/testdata/emit/ with the real tool:
 *   npx tsx scripts/gen-emit-golden.ts
 * Each group becomes <group>.json (the Values, as fixture JSON), <group>.input.yaml (what kubectl read) and
 * <group>.expected.yaml (what `kubectl kustomize` printed). Needs kubectl (kustomize v5.5.0) on PATH.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compareGoYamlKeys } from "../src/core/yaml/emit.ts";
import {
  encodeValue,
  type GoldenCase,
  kubectlKustomize,
  randomTrickyString,
  seededRandom,
  toInputYaml,
  wrapCase,
} from "../src/core/yaml/emit-test-support.ts";
import { newMap, type Value } from "../src/core/yaml/value.ts";

const OUT = join(import.meta.dirname, "../src/core/yaml/testdata/emit");

function map(entries: [string, Value][]): Value {
  const m = newMap();
  for (const [k, v] of entries) m[k] = v;
  return m;
}

function caseVariants(word: string): string[] {
  const out: string[] = [];
  const n = word.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    let s = "";
    for (let i = 0; i < n; i++) s += mask & (1 << i) ? word[i]!.toUpperCase() : word[i]!.toLowerCase();
    out.push(s);
  }
  return [...new Set(out)];
}

function trickyStrings(): string[] {
  const s: string[] = [];
  for (let c = 0x20; c < 0x7f; c++) {
    const ch = String.fromCharCode(c);
    s.push(
      ch,
      `${ch}abc`,
      `ab${ch}cd`,
      `abc${ch}`,
      `a ${ch} b`,
      `${ch} a`,
      `a ${ch}`,
      `${ch}${ch}`,
      `${ch}${ch}${ch}`,
    );
  }
  for (const w of ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf"]) {
    s.push(...caseVariants(w));
  }
  s.push("~", "<<", "=", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", "+.INF");
  s.push(".iNf", "-.InF", "Infinity", "-Infinity", "NaN", "-nan", "+inf");
  s.push(
    ...[
      "0",
      "00",
      "01",
      "07",
      "08",
      "09",
      "010",
      "0x1F",
      "0X1f",
      "0x",
      "0X",
      "0xg",
      "0o17",
      "0O17",
      "0o8",
      "0o",
    ],
    ...[
      "0b101",
      "0B101",
      "0b",
      "0b2",
      "0b-101",
      "0b+101",
      "-0b101",
      "+0b101",
      "-0b-1",
      "-0b",
      "0b_1",
      "0b1_0",
    ],
    ...[
      "+1",
      "-1",
      "+",
      "-",
      "+-1",
      "--1",
      "1_000",
      "_1",
      "1_",
      "1__0",
      "+_1",
      "-_1",
      "0_x1",
      "0x_1F",
      "1_0.5",
    ],
    ...[
      "1e3",
      "1E3",
      "1e+3",
      "1e-3",
      "1.",
      ".5",
      "-.5",
      "+.5",
      ".",
      "..",
      "1.2.3",
      "1e",
      "e1",
      "0e0",
      "1.e5",
    ],
    ...["1e400", "-1e400", "1e-400", ".5e400", ".5e-400", "1.5e308", "1.8e308", "9223372036854775807"],
    ...["9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615"],
    ...["18446744073709551616", "0x8000000000000000", "0xFFFFFFFFFFFFFFFF", "0x10000000000000000", "-0x1"],
    ...["0b1111111111111111111111111111111111111111111111111111111111111111"],
    ...["0b11111111111111111111111111111111111111111111111111111111111111111"],
    ...["-0b1000000000000000000000000000000000000000000000000000000000000000"],
    ...[
      "1:20",
      "1:20:30",
      "-1:20",
      "+1:20",
      "1:60",
      "1:5",
      "190:20:30.15",
      "1:2:3.4_5",
      "1_0:20",
      "1:2:",
      ":1",
    ],
    ...["12:30:45", "02:30", "0:00", "1:20.", "1::20", "a:20", "1:20 ", "1:2a"],
    ...[".5_0", "._5", ".5_", ".5e1_0", ".5e_1", ".5e1", ".5E+1", ".e1", "._", ".1.2", ".5__0", "1_000.5"],
    ...["0.1", "1,000", "1.0e+6", "3.14159", "6.8523015e+5", "685.230_15e+03", "685_230.15", "+12_345"],
    ...["0x1p-2", "1e+", "1e-", "+.", "-.", "1.5e3.5", "1 2", "١٢٣", "１２３"],
  );
  s.push(
    ...["2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2001-12-14T21:59:43Z"],
    ...["2001-12-14T21:59:43+01:00", "2001-12-14T21:59:43+0100", "2001-02-29", "2000-02-29", "1900-02-29"],
    ...["2001-13-01", "2001-00-01", "2001-1-1", "2001-001-01", "2001-12-14 21:59:43", "2001-12-14  21:59:43"],
    ...["2001-12-14 21:59:43,5", "2001-12-14T25:00:00Z", "2001-12-14T24:00:00Z", "2001-12-14T21:59:43.Z"],
    ...[
      "2001-12-14T21:59Z",
      "12001-12-14",
      "2001-12-14x",
      "2001-12-14T21:59:43+25:00",
      "2001-12-14T21:59:43+24:00",
    ],
    ...["2001-12-14T21:59:43-00:60", "2001-12-14T21:59:43-00:61", "0000-01-01", "2001-12-14 ", "2001-12-32"],
    ...["2001-04-31", "2001-04-30", "2001-12-14T1:2:3Z", "2001-12-14T21:59:60Z", "2001-12-14T21:60:00Z"],
    ...[
      "2001-12-14T21:59:43.123456789012Z",
      "2001-12-14 21:59:43.5",
      "2001-12-14 21:59:43Z",
      "2001-12-14T21:59:43",
    ],
    ...["2001-12-14 1:2:3", "2001-12-14T21:59:43.5+01:00", "2001-12-14T21:59:43,5Z", "2001-12-1", "2001-12-"],
    ...["2001-12", "2001-", "2001", "-2001-12-14", "2001-12-14\t", "2001-12-14T21:59:43 Z"],
  );
  for (let c = 0; c < 0x20; c++) {
    const ch = String.fromCharCode(c);
    s.push(ch, `a${ch}b`, `${ch}a`, `a${ch}`);
  }
  s.push(
    ...[
      "\u00a0",
      "a\u00a0b",
      "\u00a0a",
      "a\u00a0",
      "é",
      "日本語",
      "emoji 😀",
      "😀",
      "a😀b",
      "ß",
      "Привет",
      "مرحبا",
    ],
    ...[
      "\u2028",
      "a\u2028b",
      "a\u2029b",
      "a\u2028",
      "\u2028a",
      "a \u2028b",
      "a\u2028 b",
      "\ufeff",
      "a\ufeff",
    ],
    ...["\ufeffa b c", "\ufeff\n", "\ufffd", "\u00ad", "\u200b", "\ue000", "\uffef", "e\u0301", "\ud7ff"],
    ...["\u0085", "a\u0085b", "a \u0085 b", "a\u0085\u0085b", "a\u0085 \u0085 \u0085b", "\u0085a", "a\u0085"],
    ...[
      "a\u0085---",
      "a\u0085--",
      "x\u0085...",
      "\u00a0 x",
      "x \u00a0",
      "a\u00a0\nb",
      "\u{10ffff}",
      "\u{1f1fa}\u{1f1f8}",
    ],
    ...[
      "\t",
      "a\tb",
      "\ta",
      "a\t",
      "a\t#b",
      "a #b",
      "a#b",
      "a: b",
      "a:b",
      "a:",
      ":a",
      ": a",
      "? a",
      "?a",
      "- a",
    ],
    ...[
      "-a",
      "--",
      "---",
      "--- a",
      "...",
      "... a",
      "....",
      "a ---",
      "----",
      "-- -",
      "a:\tb",
      "a\t:b",
      "#",
      " #",
    ],
    ...[
      " ",
      "  ",
      " a",
      "a ",
      "a  b",
      "a   b",
      "'",
      "''",
      "'a'",
      '"',
      '""',
      '"a"',
      "a'b",
      'a"b',
      "\\",
      "a\\b",
    ],
  );
  s.push(
    ...["a\nb", "a\nb\n", "a\nb\n\n", "a\nb\n\n\n", "\n", "\n\n", "\n\n\n", "\na", "\na\n", " a\nb", "a \nb"],
    ...[
      "a\n b",
      "a\n\n b",
      "a\r\nb",
      "a\rb",
      "a\n\tb",
      "\ta\nb",
      "a\nb ",
      "a\n ",
      " \na",
      "line1\nline2 # c",
    ],
    ...["a\u2028\nb", "a\nb\u2028", "a\n\u2028", "#a\nb", "'a\nb", "- a\nb", "a\n---\nb", "a\n...\nb"],
    ...[
      "a\n\u00a0b",
      "a\n😀",
      "a\n\u0085b",
      "a\n\n",
      "\n a",
      "\n\na",
      "  \n",
      "a\n  b\n    c\n",
      "a\u2029\n",
    ],
    ...[`${"x".repeat(100)}\n${"y ".repeat(60)}`, "key: value\nother: thing\n", "{a: 1}\n[b]\n"],
    ...["a\n\ufeffb", "\ufeff\na", "a\n\x7e", "a\n\x1b", "a\n#", "a\n:", "a\n- b", "a\n\nb\n\n"],
  );
  // Long lines: folding depends on the column where the scalar starts and on the style.
  const words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split(" ");
  for (const len of [70, 76, 78, 79, 80, 81, 82, 83, 84, 85, 90, 100, 120, 160, 250, 400]) {
    let t = "";
    for (let i = 0; t.length < len; i++) t += (t ? " " : "") + words[i % words.length];
    t = t.slice(0, len);
    s.push(t, `${t} `, ` ${t}`, `"${t}"`, `${t}\t`, t.replaceAll(" ", "  "), t.replaceAll(" ", "   "));
    s.push(t.replaceAll("m", "é"), t.replaceAll("m", "😀"), t.replaceAll("o", "'"), t.replaceAll("e", '"'));
    s.push(
      `${t}\n${t}`,
      `${t} \n${t}`,
      `${t}\n\t${t}`,
      `${t}\r\n${t}\r\n`,
      `${t}\u2028${t}`,
      t.replaceAll(" ", "\u00a0"),
      t.replaceAll(" ", " \\"),
      `${t}\n ${t} \n`,
      `- ${t}`,
      `${t}: x`,
      `${"x".repeat(len)}`,
      `${"x".repeat(len)} y`,
      `y ${"x".repeat(len)}`,
    );
  }
  for (let k = 76; k <= 86; k++) {
    s.push(
      `${"a".repeat(k)} b c d e`,
      `${"a".repeat(k)}  b`,
      `${"a".repeat(k)} \tb`,
      `'${"a".repeat(k)} b c`,
    );
    s.push(`\t${"a".repeat(k)} b c`, `${"a".repeat(k)} \\ b`);
  }
  return [...new Set(s)];
}

function numberValues(): Value[] {
  return [
    ...[0, -0, 1, -1, 1.5, -1.5, 0.1, 0.5, 1 / 3, 2 / 3, 100, 1e6, 1e7, 1e15, 1e16, 1e20, 1e21, 1e22, 1e-4],
    ...[1e-5, 1e-6, 1e-7, 1.5e-7, 123456.5, 1234567.5, 12345678.9, 999999.5, 100000.5, 2 ** 53, 2 ** 53 + 2],
    ...[2 ** 63, 2 ** 64, -(2 ** 63), 1e300, Number.MAX_VALUE, Number.MIN_VALUE, 5e-324, -1.5e-10, 0.000123],
    ...[3.25159, 2.5e-5, 1.7976931348623157e308, 123456789012345680000, 4.35, 0.3, 1.1, 1e100, 65536],
    ...[2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 63n), -(2n ** 63n) - 1n, 10n ** 30n],
    ...[12345678901234567890123n, -(10n ** 25n), 9007199254740993n],
    ...[true, false, null],
  ];
}

function keySortSets(rnd: () => number): Value[] {
  const sets: string[][] = [
    [
      "-d",
      "_u",
      "A",
      "a9",
      "a10",
      "b-2",
      "zeta",
      "a",
      "B",
      "b",
      "1",
      "10",
      "9",
      "01",
      "001",
      "a01",
      "a1",
      "a001",
    ],
    [
      "x1y",
      "x01y",
      "x10y",
      "x2y",
      "x02",
      "x2",
      "x002",
      "x20",
      "x0",
      "x00",
      "x",
      "x.",
      "x-",
      "x_",
      "x~",
      "xé",
    ],
    [
      "é",
      "e",
      "f",
      "E",
      "ß",
      "日",
      "本",
      "😀",
      "a😀",
      "a日",
      "a1",
      "a-",
      "aA",
      "aa",
      "Å",
      "Z",
      "_",
      "-",
      ".",
      "~",
    ],
    [
      "v1.2.3",
      "v1.10.0",
      "v1.2.10",
      "v1.02",
      "v1.2",
      "v1.20",
      "1.5",
      "1.10",
      "10.1",
      "2",
      "02",
      "2a",
      "2A",
      "2-",
    ],
    ["a0b", "a00b", "a000", "a0", "a00", "a10", "a010", "a100", "a0010", "a1b", "a01b", "a10b"],
    ["", " ", "  ", "a b", "a  b", "a\tb", "a\nb", "a:b", "a: b", "\u00a0", "#", "?", "-", "--", "---"],
    ["99999999999999999999", "9999999999999999999", "18446744073709551616", "9223372036854775808", "1e3"],
    ["k١", "k٢", "k1", "k2", "k١٠", "k10", "k٠١", "k01"],
  ];
  const alphabet = "ab09_-.zZé1";
  for (let n = 0; n < 40; n++) {
    const keys = new Set<string>();
    while (keys.size < 30) {
      let k = "";
      const len = 1 + Math.floor(rnd() * 5);
      for (let i = 0; i < len; i++) k += alphabet[Math.floor(rnd() * alphabet.length)];
      keys.add(k);
    }
    sets.push([...keys]);
  }
  // keyList.Less is not transitive for some digit/letter mixes ("x2" < "x10y" < "x1y" < "x2"); Go then
  // sorts Go's random map order into varying results, so only sets where it is a total order are goldens.
  return sets.filter(isTransitive).map((keys) => map([...new Set(keys)].map((k, i) => [k, i])));
}

function isTransitive(keys: string[]): boolean {
  const less = (a: string, b: string): boolean => compareGoYamlKeys(a, b) < 0;
  for (const a of keys)
    for (const b of keys) for (const c of keys) if (less(a, b) && less(b, c) && !less(a, c)) return false;
  return true;
}

function specialKeys(): string[] {
  return [
    ...["on", "y", "n", "yes", "No", "null", "~", "true", "1", "01", "1.5", "0x10", "2001-12-14", "1:20"],
    ...[
      "",
      " ",
      " a",
      "a ",
      "a: b",
      "a #b",
      "#a",
      "-",
      "- a",
      "?",
      "? a",
      ":",
      "'a",
      '"a',
      "a'b",
      "[a]",
      "{a}",
    ],
    ...["a\nb", "a\nb\n", "\n", "a\u2028b", "a\rb", "a\tb", "é", "😀", "\ufeffk", "\u00a0"],
    "k".repeat(128),
    "k".repeat(129),
    "é".repeat(64),
    "é".repeat(65),
    `${"k".repeat(127)}é`,
    "word ".repeat(40),
    `${"x".repeat(200)}\ny`,
    "😀".repeat(32),
    "😀".repeat(33),
  ];
}

function structures(): Value[] {
  const longText = "the quick brown fox jumps over the lazy dog ".repeat(4).trim();
  const lit = "line one\nline two\n";
  return [
    map([]),
    [],
    map([["a", map([])]]),
    map([["a", []]]),
    [[]],
    [map([])],
    [[["deep"]]],
    [[1, 2], [3, [4, 5]], []],
    [
      map([
        ["a", 1],
        ["b", 2],
      ]),
      map([["c", [1, 2]]]),
      null,
      "x",
      lit,
    ],
    map([
      [
        "list",
        [
          map([
            ["name", "x"],
            ["ports", [map([["containerPort", 80]])]],
          ]),
        ],
      ],
    ]),
    map([["nested", map([["deeper", map([["deepest", [longText, [longText, map([["k", longText]])]]]])]])]]),
    map([["seqOfSeq", [[longText], [[longText]]]]]),
    map([
      ["a", lit],
      ["b", [lit, [lit]]],
      ["c", map([["d", lit]])],
    ]),
    map([
      [`${"x".repeat(130)}`, [1, 2]],
      [
        `${"y".repeat(130)}`,
        map([
          ["a", 1],
          ["b", [1]],
        ]),
      ],
    ]),
    map([
      [`${"z".repeat(130)}`, map([])],
      [`${"w".repeat(130)}`, []],
      [`${"v".repeat(130)}`, lit],
    ]),
    map([
      ["a\nb", [1, map([["x", "y"]])]],
      ["c\nd", map([["e", longText]])],
      ["f\ng", lit],
      ["h\n", null],
    ]),
    map([
      ["a\nb", longText],
      [" a\nb", "x"],
      ["a\n\n", "y"],
      ["a\nb ", "z"],
    ]),
    [longText, `${longText} ${longText}`, map([[longText.slice(0, 100), longText]])],
    map([["x", [null, true, false, 0, -1.5, "", " ", []]]]),
    map([
      ["emptyString", ""],
      ["emptyKeyMap", map([["", ""]])],
      ["nullv", null],
    ]),
    [map([["a", map([["b", map([["c", map([["d", map([["e", [map([["f", longText]])]]])]])]])]])]])],
  ];
}

/** Scalars starting far right: libyaml folds as soon as the column passes 80. */
function deepCases(): Value[] {
  const samples = [
    "a b",
    "short words here and there",
    "x".repeat(40),
    `${"y".repeat(30)} ${"z".repeat(30)}`,
    'it\'s "quoted" text with spaces',
    " leading space and more words",
    "trailing space words ",
    "line\nbreak text here",
    "tab\there and words",
    "true",
  ];
  const out: Value[] = [];
  for (const depth of [10, 30, 37, 38, 39, 40, 41, 45]) {
    let v: Value = map(samples.map((s, i) => [`k${i}`, s]));
    let seqv: Value = samples;
    for (let d = 0; d < depth; d++) {
      v = map([["d", v]]);
      seqv = d % 2 ? map([["s", seqv]]) : [seqv];
    }
    out.push(v, seqv);
  }
  for (const klen of [60, 70, 75, 78, 79, 80, 81, 100, 128]) {
    out.push(map(samples.map((s, i) => [`${"k".repeat(klen - 1)}${i}`, s])));
  }
  return out;
}

function writeGroup(group: string, cases: GoldenCase[]): void {
  const resources = cases.map((c) => wrapCase(c.name, c.value));
  const expected = kubectlKustomize(resources);
  writeFileSync(join(OUT, `${group}.input.yaml`), resources.map((r) => toInputYaml(r)).join("---\n"));
  writeFileSync(join(OUT, `${group}.expected.yaml`), expected);
  const json = { cases: cases.map((c) => ({ name: c.name, value: encodeValue(c.value) })) };
  writeFileSync(join(OUT, `${group}.json`), `${JSON.stringify(json, null, 1)}\n`);
  console.log(`${group}: ${cases.length} cases`);
}

/** Strings kustomize rejects (its YAML reader refuses the raw characters Go's JSON leaves in). */
function writeErrors(group: string, values: Value[]): void {
  const cases = values.map((v, i) => {
    let error = "";
    let expected = "";
    try {
      expected = kubectlKustomize([wrapCase(`e${i}`, v)]);
    } catch (e) {
      error = /yaml: .*/.exec(String((e as { stderr?: string }).stderr ?? e))?.[0] ?? String(e);
    }
    return { name: `e${i}`, value: encodeValue(v), error, expected };
  });
  writeFileSync(join(OUT, `${group}.json`), `${JSON.stringify({ cases }, null, 1)}\n`);
  console.log(`${group}: ${cases.length} cases`);
}

function main(): void {
  mkdirSync(OUT, { recursive: true });
  const rnd = seededRandom(20240505);
  const strings = trickyStrings();
  const name = (p: string, i: number): string => `${p}${String(i).padStart(4, "0")}`;
  writeGroup(
    "strings",
    strings.map((s, i) => ({ name: name("s", i), value: map([["value", s]]) })),
  );
  // Keys holding a raw NEL make kustomize fail (see the errors group); kustomize's loader drops a "<<" key.
  const keyable = strings.filter((s) => !s.includes("\u0085") && s !== "<<");
  writeGroup(
    "string-keys",
    keyable.map((s, i) => ({ name: name("k", i), value: map([[s, "x"]]) })),
  );
  writeGroup(
    "strings-nested",
    strings.map((s, i) => ({
      name: name("n", i),
      value: map([["a", map([["bb", [map([["ccc", [s]]]), s]]])]]),
    })),
  );
  writeGroup(
    "strings-seq",
    strings.map((s, i) => ({ name: name("q", i), value: [s, [s]] })),
  );
  writeGroup(
    "numbers",
    numberValues().map((v, i) => ({ name: name("num", i), value: map([["v", v]]) })),
  );
  writeGroup(
    "key-sort",
    keySortSets(rnd).map((v, i) => ({ name: name("ks", i), value: v })),
  );
  writeGroup(
    "special-keys",
    specialKeys().map((k, i) => ({ name: name("sk", i), value: map([[k, "v"]]) })),
  );
  writeGroup(
    "structures",
    structures().map((v, i) => ({ name: name("st", i), value: v })),
  );
  const random: GoldenCase[] = [];
  for (let i = 0; i < 300; i++) {
    const s = randomTrickyString(rnd);
    if (/\u0085(---|\.\.\.)[ \u0085]/.test(s)) continue;
    const key = s.replaceAll("\u0085", "");
    random.push({
      name: name("r", i),
      value: map([
        ["v", s],
        [key, [s]],
      ]),
    });
  }
  writeGroup("random", random);
  writeGroup(
    "deep",
    deepCases().map((v, i) => ({ name: name("dp", i), value: v })),
  );
  const errorStrings = [
    "\u007f",
    "a\u0080b",
    "\u009f",
    "\ufffe",
    "\uffff",
    "a\u0085--- b",
    "a\u0085...\u0085",
  ];
  errorStrings.push("a\u0085 --- b", "a\u0085---", "a\u0085---\u0085", "a\u0085...", "a\u0085 \u0085--- x");
  const errorKeys = [
    "\u0085",
    "a\u0085b",
    "k".repeat(1023),
    `${"<".repeat(169)}${"k".repeat(9)}`,
    "😀".repeat(1023),
  ];
  errorKeys.push(
    `${"<".repeat(169)}${"k".repeat(8)}`,
    "k".repeat(1022),
    "😀".repeat(1022),
    `${"\n".repeat(511)}`,
  );
  errorKeys.push(`${"\n".repeat(512)}`, `${"\u0001".repeat(170)}k`, `${"\u0001".repeat(170)}kkk`);
  writeErrors("errors", [
    ...errorStrings.map((s) => map([["v", s]])),
    ...errorStrings.map((s) => [s]),
    ...errorKeys.map((k) => map([[k, 1]])),
    ...errorKeys.map((k) => [map([["a", map([[k, 1]])]])]),
  ]);
}

main();
