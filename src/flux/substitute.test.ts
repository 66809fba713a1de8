// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the inputs are envsubst templates
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitYaml } from "../core/yaml/emit.ts";
import { loadYaml } from "../core/yaml/load.ts";
import { isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import {
  isSubstitutionDisabled,
  mergeVars,
  postBuildErrorPrefix,
  type SubstituteOptions,
  substituteResource,
  validateVarNames,
} from "./substitute.ts";
import { resolvePlain, yamlToJson } from "./substitute-yaml.ts";

function load(text: string): ValueMap {
  const r = loadYaml(text, "test.yaml");
  expect(r.diagnostics).toEqual([]);
  return r.docs[0]!.value as ValueMap;
}

const NON_STRICT: SubstituteOptions = { strict: false };
const STRICT: SubstituteOptions = { strict: true };

function sub(text: string, vars: Record<string, string>, opts: SubstituteOptions = NON_STRICT): string {
  const r = substituteResource(load(text), vars, opts);
  if (!r.ok) throw new Error(r.error);
  return emitYaml(r.obj);
}

/** One field of a ConfigMap after substitution. */
function field(template: string, vars: Record<string, string>, opts: SubstituteOptions = NON_STRICT): Value {
  const obj = load(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  v: ${template}\n`);
  const r = substituteResource(obj, vars, opts);
  if (!r.ok) throw new Error(r.error);
  return (r.obj.data as ValueMap).v as Value;
}

describe("substituteResource: when it runs", () => {
  const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: ${A:=dflt}\n  b: ${B}\n";

  it("skips objects labelled or annotated substitute: disabled (exactly that value)", () => {
    for (const where of ["labels", "annotations"]) {
      const obj = load(
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  ${where}:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  a: \${A}\n`,
      );
      expect(isSubstitutionDisabled(obj)).toBe(true);
      const r = substituteResource(obj, { A: "1" }, STRICT);
      expect(r).toMatchObject({ ok: true, skipped: "disabled", changed: false });
      expect(r.ok && r.obj).toBe(obj);
    }
    const other = load(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: Disabled\n",
    );
    expect(isSubstitutionDisabled(other)).toBe(false);
  });

  it("does nothing without variables unless substituteStrategy is Always", () => {
    const obj = load(cm);
    expect(substituteResource(obj, {}, STRICT)).toMatchObject({
      ok: true,
      skipped: "no-vars",
      changed: false,
    });
    const always = substituteResource(obj, {}, { strict: false, always: true });
    expect(always.ok && always.obj.data).toEqual({ a: "dflt", b: null });
    expect(always.ok && always.unset).toEqual(["B"]);
    // Always + strict: B has no default.
    expect(substituteResource(obj, {}, { strict: true, always: true })).toMatchObject({
      ok: false,
      variable: "B",
      error: 'envsubst error: variable substitution failed: variable not set (strict mode): "B"',
      path: ["data", "b"],
      line: 4, // in the object as kustomize prints it: keys sorted
    });
  });

  it("does not modify its input", () => {
    const obj = load(cm);
    const before = emitYaml(obj);
    substituteResource(obj, { A: "x", B: "y" }, STRICT);
    expect(emitYaml(obj)).toBe(before);
  });

  it("an empty value counts as set in strict mode and reads back as null", () => {
    const r = substituteResource(load(cm), { B: "" }, STRICT);
    expect(r.ok && r.obj.data).toEqual({ a: "dflt", b: null });
  });
});

describe("substituteResource: variable names and sources", () => {
  it("rejects names Flux's regexp refuses", () => {
    expect(validateVarNames({ ok: "", _x1: "", Ünï: "", "my-var": "", "1a": "", "a.b": "", "": "" })).toEqual(
      [
        {
          name: "Ünï",
          message: "'Ünï' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'",
        },
        {
          name: "my-var",
          message: "'my-var' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'",
        },
        {
          name: "1a",
          message: "'1a' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'",
        },
        {
          name: "a.b",
          message: "'a.b' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'",
        },
        { name: "", message: "'' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'" },
      ],
    );
    const r = substituteResource(
      load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
      { "my-var": "1" },
      STRICT,
    );
    expect(r).toMatchObject({
      ok: false,
      stage: "names",
      variable: "my-var",
      error:
        "envsubst error: 'my-var' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'",
    });
  });

  it("a bad name does not matter for disabled objects", () => {
    const obj = load(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n",
    );
    expect(substituteResource(obj, { "my-var": "1" }, STRICT).ok).toBe(true);
  });

  it("merges substituteFrom in order, inline last, and strips newlines", () => {
    expect(
      mergeVars(
        [
          { A: "1", B: "1" },
          { B: "2\n", C: "2" },
        ],
        { C: "3", D: "a\r\nb" },
      ),
    ).toEqual({
      A: "1",
      B: "2",
      C: "3",
      D: "a\rb",
    });
    // substituteResource strips newlines itself as well.
    expect(field("${A}", { A: "x\ny" })).toBe("xy");
  });

  it("prints the controller's error prefix", () => {
    expect(
      postBuildErrorPrefix(load("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n")),
    ).toBe("post build failed for 'apps_v1_Deployment/web': ");
  });
});

describe("substituteResource: the text round trip changes types", () => {
  const cases: [string, Record<string, string>, Value][] = [
    ["${N}", { N: "3" }, 3],
    ['"${N}"', { N: "3" }, 3], // the quotes are gone once kustomize prints the object
    ["'${N}'", { N: "3" }, 3],
    ["'${V}'", { V: "it's" }, "it's"], // printed plain, so a quote in the value is harmless
    ["${N}", { N: "0777" }, 511], // YAML 1.1 octal
    ["${N}", { N: "0o17" }, 15],
    ["${N}", { N: "0x1F" }, 31],
    ["${N}", { N: "1_000" }, 1000],
    ["${N}", { N: "1e3" }, 1000],
    ["${N}", { N: "1.50" }, 1.5],
    ["${N}", { N: ".5" }, 0.5],
    ["${N}", { N: "+12" }, 12],
    ["${N}", { N: "08" }, 8], // not octal: a float
    ["${N}", { N: "9007199254740993" }, 9007199254740992], // JSON float64
    ["${N}", { N: "1:20" }, "1:20"], // no base 60 in goyaml.v2
    ["${N}", { N: "2024-01-02" }, "2024-01-02"], // timestamps stay strings
    ["${N}", { N: "1e400" }, "1e400"], // out of range: not a float
    ["${B}", { B: "true" }, true],
    ["${B}", { B: "yes" }, true],
    ["${B}", { B: "On" }, true],
    ["${B}", { B: "n" }, false],
    ["${B}", { B: "OFF" }, false],
    ["${B}", { B: "tRuE" }, "tRuE"],
    ["${V}", { V: "~" }, null],
    ["${V}", { V: "" }, null],
    ["${V}", { V: "null" }, null],
    ["${V}", { V: "[a, b]" }, ["a", "b"]],
    ["${V}", { V: "{a: 1}" }, { a: 1 }],
    ["${V}", { V: "a #comment" }, "a"],
    ["${V}", { V: "  padded  " }, "padded"],
    ["${V}", { V: "&anchor x" }, "x"],
    ["${V}", { V: "!!str 3" }, "3"],
    ["${V}", { V: "!!binary aGk=" }, "hi"],
    ["${V}", { V: "!custom x" }, "x"],
    ["${V}", { V: "|" }, ""],
    ["${V}", { V: '"quoted: ok"' }, "quoted: ok"],
    ["x${V}", { V: "3" }, "x3"],
    ["${V}", { V: "${NOT_AGAIN}" }, "${NOT_AGAIN}"], // values are not re-expanded
    ["${quote}${V}${quote}", { quote: '"', V: "123" }, "123"], // the documented way to keep a string
    ["${V:=5}", { X: "1" }, 5],
    ["${V:-on}", { X: "1" }, true],
  ];
  it.each(cases)("%s with %j → %j", (tpl, vars, want) => {
    expect(field(tpl, vars)).toEqual(want);
  });

  it("keeps big integers exact until a substitution round trip turns them into float64", () => {
    const obj = load(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nspec:\n  big: 12345678901234567891\n  a: ${A}\n",
    );
    expect((obj.spec as ValueMap).big).toBe(12345678901234567891n);
    const r = substituteResource(obj, { A: "1" }, STRICT);
    expect(r.ok && (r.obj.spec as ValueMap).big).toBe(12345678901234567000);
    expect(r.ok && emitYaml(r.obj)).toContain("big: 12345678901234567000\n");
    // Also when the text has no expression at all: the JSON decode still happens.
    const plain = load(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  big: 9007199254740993\n",
    );
    const r2 = substituteResource(plain, { A: "1" }, STRICT);
    expect(r2.ok && r2.changed).toBe(true);
    expect(r2.ok && (r2.obj.data as ValueMap).big).toBe(9007199254740992);
    const small = load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  n: 5\n");
    const r3 = substituteResource(small, { A: "1" }, STRICT);
    expect(r3.ok && r3.changed).toBe(false);
    expect(r3.ok && r3.obj).toBe(small);
  });

  it("a substituted key is resolved too (YAML 1.1 keys, stringified for JSON)", () => {
    const obj = load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  ${K}: v\n");
    const run = (k: string) => {
      const r = substituteResource(obj, { K: k }, STRICT);
      return r.ok ? Object.keys(r.obj.data as ValueMap) : r.error;
    };
    expect(run("on")).toEqual(["true"]);
    expect(run("0x10")).toEqual(["16"]);
    expect(run("1.1")).toEqual(["1.1"]);
    expect(run("123456789.0")).toEqual(["1.2345679e+08"]); // float32 formatting of float keys
    expect(run("plain")).toEqual(["plain"]);
    expect(run("~")).toMatch(/^envsubst error: YAMLToJSON: unsupported map key of type: %!s\(<nil>\)/);
  });

  it("Helm and ExternalSecret templates pass through untouched, also mixed with ${VAR}", () => {
    const out = sub(
      `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app
spec:
  values:
    fullnameOverride: "{{ .Release.Name }}-\${ENV}"
    ingress:
      host: '{{ include "app.fullname" . }}.\${DOMAIN}'
    template:
      data:
        DATABASE_URL: "postgres://{{ .user }}:{{ .password }}@\${DB_HOST}:5432/{{ .db }}"
        raw: "{{ index . \\"key\\" }}"
`,
      { ENV: "prod", DOMAIN: "example.com", DB_HOST: "db.local" },
      STRICT,
    );
    expect(out).toContain("fullnameOverride: '{{ .Release.Name }}-prod'\n");
    expect(out).toContain("host: '{{ include \"app.fullname\" . }}.example.com'\n");
    expect(out).toContain("raw: '{{ index . \"key\" }}'\n");
    const data = load(out) as { spec: { values: { template: { data: ValueMap } } } };
    expect(data.spec.values.template.data.DATABASE_URL).toBe(
      "postgres://{{ .user }}:{{ .password }}@db.local:5432/{{ .db }}",
    );
  });

  it("escapes: $${VAR} and $$ reach the cluster as ${VAR} and $", () => {
    const obj = load(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  script: |\n    echo "$${HOME} $$ $HOME ${A}"\n',
    );
    const r = substituteResource(obj, { A: "a" }, STRICT);
    expect(r.ok && (r.obj.data as ValueMap).script).toBe('echo "${HOME} $ $HOME a"\n');
  });

  it("substitutes inside block scalars, keys, names and Flux Kustomization specs", () => {
    const out = sub(
      `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: \${APP}
spec:
  path: ./apps/\${APP}/app
  postBuild:
    substitute:
      APP: \${APP}
      VOLSYNC_CLAIM: \${VOLSYNC_CLAIM:-\${APP}-data}
  healthCheckExprs:
    - current: |
        status.conditions.filter(e, e.type == '\${COND:=Ready}').all(e, e.status == 'True')
`,
      { APP: "radarr" },
      STRICT,
    );
    expect(out).toContain("name: radarr\n");
    expect(out).toContain("path: ./apps/radarr/app\n");
    expect(out).toContain("VOLSYNC_CLAIM: radarr-data\n");
    expect(out).toContain("e.type == 'Ready'");
  });
});

describe("substituteResource: values that break the YAML", () => {
  const breakers: [string, string, RegExp][] = [
    [
      "${V}",
      "a: b",
      /^envsubst error: YAMLToJSON: yaml: line 3: mapping values are not allowed in this context$/,
    ],
    ["${V}", "*ref", /^envsubst error: YAMLToJSON: yaml: unknown anchor 'ref' referenced$/],
    ["${V}", "@x", /found character that cannot start any token/],
    ["${V}", "`x", /found character that cannot start any token/],
    ["${V}", "%x", /found character that cannot start any token/],
    ["${V}", "- a", /block sequence entries are not allowed in this context/],
    ["'${V}: x'", "it's", /^envsubst error: YAMLToJSON: yaml: line 3: /], // printed single-quoted
    ["${V}", "[a", /^envsubst error: YAMLToJSON: yaml: /],
    ["${V}", ".inf", /^envsubst error: YAMLToJSON: json: unsupported value: \+Inf$/],
    ["${V}", "-.Inf", /json: unsupported value: -Inf$/],
    ["${V}", ".nan", /json: unsupported value: NaN$/],
    ["${V}", "\u0001", /control characters are not allowed/],
    ["${V}", "!!int abc", /cannot decode !!str `abc` as a !!int/],
    ["image:${V}", "", /mapping values are not allowed/], // "image:" then ": " … no: plain ends in ':'
  ];
  it.each(breakers)("%s with %j", (tpl, v, re) => {
    const obj = load(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  v: ${tpl}\n  w: ok\n`);
    const r = substituteResource(obj, { V: v }, NON_STRICT);
    if (r.ok) {
      // "image:" + "" is just the string "image:"; only a trailing ':' before a break is a problem.
      expect(tpl).toBe("image:${V}");
      return;
    }
    expect(r.stage).toBe("yaml");
    expect(r.error).toMatch(re);
  });

  it("an unset variable after a colon leaves a dangling mapping indicator", () => {
    const obj = load("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  image: nginx:${TAG}\n");
    const r = substituteResource(obj, { OTHER: "1" }, NON_STRICT);
    expect(r).toMatchObject({ ok: false, stage: "yaml", line: 6 });
  });

  it("byte slicing that cuts a character fails like libyaml's reader", () => {
    const obj = (t: string) =>
      load(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  v: ${t}\n`);
    expect(substituteResource(obj("${U:2}"), { U: "héllo" }, NON_STRICT)).toMatchObject({
      ok: false,
      error: "envsubst error: YAMLToJSON: yaml: invalid leading UTF-8 octet",
    });
    expect(substituteResource(obj("${U:0:2}"), { U: "héllo" }, NON_STRICT)).toMatchObject({
      ok: false,
      error: "envsubst error: YAMLToJSON: yaml: invalid trailing UTF-8 octet",
    });
    const whole = substituteResource(obj("${U:1:2}"), { U: "héllo" }, NON_STRICT);
    expect(whole.ok && whole.obj.data).toEqual({ v: "é" });
  });

  it("CR in a value is a line break to libyaml", () => {
    const obj = load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  v: ${V}\n");
    const r = substituteResource(obj, { V: "a\rextra: b" }, NON_STRICT);
    expect(r.ok && r.obj.data).toEqual({ v: "a" });
    expect(r.ok && r.obj.extra).toBe("b");
  });

  it("syntax errors name the line and the field", () => {
    const obj = load(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  script: echo ${arr[@]}\n",
    );
    expect(substituteResource(obj, { A: "1" }, NON_STRICT)).toMatchObject({
      ok: false,
      stage: "envsubst",
      error: "envsubst error: variable substitution failed: missing closing brace",
      line: 3,
      path: ["data", "script"],
    });
  });

  it("strict failures name the variable, the line and the path (also inside lists)", () => {
    const obj = load(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n        - name: b\n          env:\n            - name: X\n              value: ${MISSING}\n",
    );
    expect(substituteResource(obj, { A: "1" }, STRICT)).toMatchObject({
      ok: false,
      variable: "MISSING",
      path: ["spec", "template", "spec", "containers", 1, "env", 0, "value"],
    });
    const lax = substituteResource(obj, { A: "1" }, NON_STRICT);
    expect(lax.ok && lax.unset).toEqual(["MISSING"]);
    expect(lax.ok && lax.refs[0]?.path).toEqual([
      "spec",
      "template",
      "spec",
      "containers",
      1,
      "env",
      0,
      "value",
    ]);
  });

  it("a variable in a key is located at that key", () => {
    const obj = load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  ${MISSING}: value\n");
    expect(substituteResource(obj, { A: "1" }, STRICT)).toMatchObject({
      ok: false,
      variable: "MISSING",
      path: ["data", "${MISSING}"],
    });
  });
});

describe("yamlToJson: goyaml.v2 resolution", () => {
  it.each([
    ["y", true],
    ["Y", true],
    ["NO", false],
    ["0b101", 5],
    ["-0b101", -5],
    ["0B11", 3],
    ["-0x10", -16],
    ["+0o10", 8],
    ["0", 0],
    ["-0", 0],
    ["007", 7],
    ["18446744073709551615", 2 ** 64], // uint64, then float64
    ["1.", 1],
    ["-.5e1", -5],
    ["1__0", 10],
    ["._5", "._5"],
    ["0x", "0x"],
    ["1e", "1e"],
    ["<<", "<<"],
    ["-", "-"],
    ["+", "+"],
    ["ünï", "ünï"],
  ])("%s → %j", (s, v) => {
    expect(resolvePlain(s)).toEqual(v);
  });

  it("merge keys: explicit keys after the merge win, earlier list entries win", () => {
    const r = yamlToJson(
      "base: &b {a: 1, b: 1}\nother: &o {b: 2, c: 2}\nm:\n  a: 0\n  <<: [*b, *o]\n  c: 3\n",
    );
    expect(r.ok && r.value.m).toEqual({ a: 1, b: 1, c: 3 });
  });

  it("the fast path reads substituted text exactly like the general path", () => {
    const values = [
      "3",
      "true",
      "yes",
      "on",
      "0777",
      "1e3",
      "1_000",
      "0x1F",
      ".inf",
      "~",
      "",
      "null",
      "2001-12-14",
      ": x",
      "a: b",
      "- x",
      "*x",
      "&a",
      "&a b",
      "'q",
      '"q',
      "q'",
      "# x",
      "x # y",
      "[a",
      "{a",
      "[a, b]",
      "{a: 1}",
      "|",
      ">",
      "%x",
      "@x",
      "`x",
      "<<",
      "a  b",
      "ü",
      "${X}",
      "\\",
      "\\n",
      "'a''b'",
      '"a\\tb"',
      "-1",
      "+1",
      "0b11",
    ];
    const shapes = [
      (v: string) => `k: ${v}\n`,
      (v: string) => `k: "${v}"\n`,
      (v: string) => `k: '${v}'\n`,
      (v: string) => `a:\n  - ${v}\n  - x: ${v}\n    y: z\n`,
      (v: string) => `${v}: key\n`,
      (v: string) => `k: |\n  ${v}\n  line\n`,
      (v: string) => `k: [${v}, b]\n`,
      (v: string) => `k: {x: ${v}}\n`,
      (v: string) => `k: long text that\n  goes on ${v}\n`,
    ];
    for (const shape of shapes) {
      for (const v of values) {
        const text = shape(v);
        expect({ text, r: yamlToJson(text) }).toEqual({ text, r: yamlToJson(text, { fast: false }) });
      }
    }
  });

  it("only the first document counts, and a top-level list is an error", () => {
    expect(yamlToJson("a: 1\n---\nb: {\n")).toEqual({ ok: true, value: { a: 1 } });
    expect(yamlToJson("- 1\n")).toMatchObject({
      ok: false,
      error: "UnmarshalJSON: json: cannot unmarshal array into Go value of type map[string]interface {}",
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// The development corpus: real repositories.

const CORPUS = join(import.meta.dirname, "../../../shared/corpus");

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

describe.skipIf(!existsSync(CORPUS))("corpus", () => {
  if (!existsSync(CORPUS)) console.log(`corpus tests skipped: ${CORPUS} is absent`);
  const docs: { file: string; obj: ValueMap }[] = [];
  if (existsSync(CORPUS)) {
    for (const file of yamlFiles(CORPUS)) {
      const r = loadYaml(readFileSync(file, "utf8"), file);
      for (const d of r.docs)
        if (isMap(d.value) && typeof d.value.kind === "string") docs.push({ file, obj: d.value });
    }
  }

  it("reads every printed object back unchanged (apart from float64 numbers)", () => {
    expect(docs.length).toBeGreaterThan(500);
    for (const { file, obj } of docs) {
      const back = yamlToJson(emitYaml(obj));
      if (!back.ok) throw new Error(`${file}: ${back.error}`);
      expect(back.value, file).toEqual(
        JSON.parse(JSON.stringify(obj, (_k, v) => (typeof v === "bigint" ? Number(v) : v))),
      );
    }
  });

  it("substitutes the real patterns; the templates that do not parse are the expected ones", () => {
    const vars = {
      APP: "app",
      DOMAIN: "example.com",
      EXTERNAL_DNS_1_DOMAIN: "example.com",
      VOLSYNC_CLAIM: "claim",
      CLUSTER_NAME: "home",
      SECRET_DOMAIN: "example.org",
    };
    const unparsable = new Set<string>();
    let substituted = 0;
    for (const { file, obj } of docs) {
      const text = emitYaml(obj);
      if (!text.includes("$")) continue;
      const r = substituteResource(obj, vars, NON_STRICT);
      if (!r.ok) {
        if (r.stage === "envsubst") unparsable.add(file.slice(CORPUS.length + 1));
        else if (r.stage !== "yaml") throw new Error(`${file}: ${r.error}`);
        continue;
      }
      if (r.skipped) continue;
      substituted++;
      // No expression of the dialect survives, and templates of other engines are intact.
      const out = emitYaml(r.obj);
      expect(out.match(/\{\{/g)?.length ?? 0, file).toBe(text.match(/\{\{/g)?.length ?? 0);
      const strict = substituteResource(obj, vars, STRICT);
      if (!strict.ok) expect(strict.stage === "envsubst" || strict.stage === "yaml", file).toBe(true);
    }
    expect(substituted).toBeGreaterThan(20);
    // `${.PVC.namespace}` (nfs-subdir-external-provisioner pathPattern) is not a Flux variable name.
    expect(
      [...unparsable].every((f) => f.includes("nas-storage")),
      [...unparsable].join(", "),
    ).toBe(true);
  });
});
