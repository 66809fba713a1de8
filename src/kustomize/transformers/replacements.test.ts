import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { Diagnostics } from "../../core/diagnostics.ts";
import { loadYaml } from "../../core/yaml/load.ts";
import { isMap, type Value, type ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import type { ResId } from "../resid.ts";
import { makeResource, type Resource } from "../resource.ts";
import { applyReplacements, REPLACEMENT_CODES, type ReplacementEntry } from "./replacements.ts";

const DATA = join(import.meta.dirname, "testdata", "replacements");
const at = { file: "kustomization.yaml", line: 1, column: 1 };

function ctx(): TransformContext {
  return { diags: new Diagnostics(), at };
}

function loadValues(file: string): Value[] {
  const r = loadYaml(readFileSync(file, "utf8"), file);
  expect(r.diagnostics).toEqual([]);
  return r.docs.map((d) => d.value).filter((v) => v !== null);
}

/** kubectl output read with the `yaml` package (YAML 1.1 like goyaml.v2 printed it), for a value-level compare. */
function parseExpected(file: string): Value[] {
  return parseAllDocuments(readFileSync(file, "utf8"), { version: "1.1" }).map((d) =>
    normalize(d.toJS() as Value),
  );
}

/** Numbers compare as numbers whatever their int/bigint form. */
function normalize(v: Value): Value {
  if (typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER))
    return Number(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

function plain(v: Value): Value {
  return normalize(
    JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? Number(x) : x))) as Value,
  );
}

/** Entries as the orchestrator passes them: inline items, and `path:` files expanded (a list or one mapping). */
function entriesOf(dir: string): ReplacementEntry[] {
  const k = loadValues(join(dir, "kustomization.yaml"))[0] as ValueMap;
  const out: ReplacementEntry[] = [];
  for (const e of (k.replacements as Value[]) ?? []) {
    if (isMap(e) && typeof e.path === "string" && e.source === undefined && e.targets === undefined) {
      for (const d of loadValues(join(dir, e.path))) {
        for (const item of Array.isArray(d) ? d : [d]) out.push({ value: item, at: { ...at, file: e.path } });
      }
    } else out.push({ value: e, at });
  }
  return out;
}

function run(dir: string): { resources: Resource[]; c: TransformContext } {
  const resources = loadValues(join(dir, "res.yaml")).map((v) => makeResource(v as ValueMap, { ...at }));
  const c = ctx();
  applyReplacements(resources, entriesOf(dir), c);
  return { resources, c };
}

/** InvalidNodeKindError prints the node in its source style, which a decoded value no longer has. */
function comparable(msg: string): string {
  const i = msg.indexOf("node contents:");
  return i < 0 ? msg.trim() : msg.slice(0, i + "node contents:".length);
}

const cases = readdirSync(DATA).filter((d) => existsSync(join(DATA, d, "res.yaml")));

describe("kustomize/transformers/replacements", () => {
  describe("kubectl goldens", () => {
    for (const name of cases) {
      const dir = join(DATA, name);
      const expectedYaml = join(dir, "expected.yaml");
      it(name, () => {
        const { resources, c } = run(dir);
        if (existsSync(expectedYaml)) {
          expect(c.diags.items).toEqual([]);
          const want = parseExpected(expectedYaml);
          const got = resources.map((r) => plain(r.obj));
          // kubectl prints in legacy order; compare as sets keyed by kind/name.
          const key = (v: Value) => `${(v as ValueMap).kind}/${((v as ValueMap).metadata as ValueMap).name}`;
          const sort = (vs: Value[]) => [...vs].sort((a, b) => key(a).localeCompare(key(b)));
          expect(sort(got)).toEqual(sort(want));
        } else {
          const want = readFileSync(join(dir, "expected-error.txt"), "utf8").trim();
          const first = c.diags.items[0];
          expect(first?.severity).toBe("error");
          // kubectl wraps Config errors (path + inline) in a long preamble; the cause is its last line.
          expect(comparable(want).endsWith(comparable(first?.message ?? ""))).toBe(true);
        }
      });
    }
  });

  describe("ids the object has had", () => {
    // The top kustomization of testdata/replacements/previous-ids as it stands when its replacements run:
    // base set namespace ns1 and prefix base-, mid suffix -mid, top prefix top-.
    function cm(name: string, labels?: Record<string, string>): ValueMap {
      return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `top-base-${name}-mid`, namespace: "ns1", ...(labels ? { labels } : {}) },
        data: {},
      } as unknown as ValueMap;
    }
    function prev(kind: string, namespace: string, ...names: string[]): ResId[] {
      return names.map((name) => ({ group: "", version: "v1", kind, name, namespace }));
    }
    it("selects and rejects by current and every previous id (kubectl golden)", () => {
      const app = makeResource(cm("app", { num: "1", tier: "web" }), at);
      app.prevIds = [
        ...prev("ConfigMap", "", "app"),
        ...prev("ConfigMap", "ns1", "app", "base-app", "base-app-mid"),
      ];
      const other = makeResource(cm("other"), at);
      other.prevIds = [
        ...prev("ConfigMap", "", "other"),
        ...prev("ConfigMap", "ns1", "other", "base-other", "base-other-mid"),
      ];
      const cr = makeResource(
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRole",
          metadata: { name: "top-base-cr-mid" },
        } as unknown as ValueMap,
        at,
      );
      cr.prevIds = ["cr", "base-cr", "base-cr-mid"].map((name) => ({
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRole",
        name,
        namespace: "",
      }));
      const s = makeResource(
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "top-s" },
          data: { v: "aGk=" },
        } as unknown as ValueMap,
        at,
      );
      s.prevIds = prev("Secret", "", "s");
      const dir = join(DATA, "previous-ids", "top");
      const c = ctx();
      applyReplacements([cr, app, other, s], entriesOf(dir), c);
      expect(c.diags.items).toEqual([]);
      expect([cr, app, other, s].map((r) => plain(r.obj))).toEqual(parseExpected(join(dir, "expected.yaml")));
    });
  });

  describe("values", () => {
    function apply(obj: Record<string, unknown>, replacements: unknown[]) {
      const src = makeResource(
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "src" },
          data: { s: "5", n: 7, f: 1.5, b: true },
        } as unknown as ValueMap,
        at,
      );
      const t = makeResource(
        { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "t" }, ...obj } as ValueMap,
        at,
      );
      const c = ctx();
      applyReplacements(
        [src, t],
        replacements.map((value) => ({ value: value as Value, at })),
        c,
      );
      return { obj: t.obj, diags: c.diags.items };
    }
    const rep = (fieldPath: string, targetPath: string, options?: unknown) => ({
      source: { kind: "ConfigMap", fieldPath },
      targets: [
        { select: { kind: "Deployment" }, fieldPaths: [targetPath], ...(options ? { options } : {}) },
      ],
    });

    it("keeps the target's type: a string stays a string, an int an int, a float takes an int", () => {
      const r = apply({ spec: { a: "x", b: 1, c: 2.5 } }, [
        rep("data.n", "spec.a"),
        rep("data.s", "spec.b"),
        rep("data.n", "spec.c"),
      ]);
      expect(r.diags).toEqual([]);
      expect(r.obj.spec).toEqual({ a: "7", b: 5, c: 7 });
    });

    it("created fields have no tag, so the text resolves as plain YAML", () => {
      const r = apply({ spec: {} }, [rep("data.s", "spec.x.y", { create: true })]);
      expect(r.obj.spec).toEqual({ x: { y: 5 } });
    });

    it("a collection target becomes the source, with the source's type", () => {
      const r = apply({ spec: { m: { a: 1 }, l: [1] } }, [rep("data.s", "spec.m"), rep("data", "spec.l")]);
      expect(r.diags).toEqual([]);
      expect(plain(r.obj.spec as Value)).toEqual({ m: "5", l: { s: "5", n: 7, f: 1.5, b: true } });
    });

    it("reports a text that does not fit the target type and keeps going", () => {
      const r = apply({ spec: { a: false, b: "x" } }, [
        {
          source: { kind: "ConfigMap", fieldPath: "data.s" },
          targets: [{ select: { kind: "Deployment" }, fieldPaths: ["spec.a", "spec.b"] }],
        },
      ]);
      expect(r.diags.map((d) => [d.code, d.message])).toEqual([
        [
          REPLACEMENT_CODES.typeMismatch,
          "map[string]interface {}(nil): yaml: cannot decode !!int `5` as a !!bool",
        ],
      ]);
      expect(r.obj.spec).toEqual({ a: false, b: "5" });
    });

    it("delimiter on a target: negative index prefixes, past the end suffixes", () => {
      const r = apply({ spec: { a: "x-y", b: "x-y", c: "x-y" } }, [
        rep("data.s", "spec.a", { delimiter: "-", index: -1 }),
        rep("data.s", "spec.b", { delimiter: "-", index: 5 }),
        rep("data.s", "spec.c", { delimiter: "-", index: 1 }),
      ]);
      expect(r.obj.spec).toEqual({ a: "5-x-y", b: "x-y-5", c: "x-5" });
    });

    it("wildcards fan out over list elements; [k=v] is an unanchored regexp on targets", () => {
      const r = apply(
        {
          spec: {
            rules: [{ host: "a" }, { host: "b" }],
            c: [{ name: "app" }, { name: "myapp2" }, { name: "x" }],
          },
        },
        [rep("data.s", "spec.rules.*.host"), rep("data.s", "spec.c.[name=app].image", { create: true })],
      );
      expect(plain(r.obj.spec as Value)).toEqual({
        rules: [{ host: "5" }, { host: "5" }],
        c: [{ name: "app", image: 5 }, { name: "myapp2", image: 5 }, { name: "x" }],
      });
    });

    it("map keys with dots go in brackets; escaped dots work too", () => {
      const r = apply({ metadata: { name: "t", annotations: { "a.b/c": "x", "d.e": "y" } } }, [
        rep("data.s", "metadata.annotations.[a.b/c]"),
        rep("data.s", "metadata.annotations.d\\.e"),
      ]);
      expect(r.diags).toEqual([]);
      expect(r.obj.metadata).toEqual({ name: "t", annotations: { "a.b/c": "5", "d.e": "5" } });
    });

    it("reports entries kustomize cannot read", () => {
      const r = apply({}, [{ source: { kind: 3 }, targets: {} }, "x"]);
      expect(r.diags.map((d) => d.code)).toEqual([
        REPLACEMENT_CODES.invalid,
        REPLACEMENT_CODES.invalid,
        REPLACEMENT_CODES.invalid,
      ]);
    });
  });

  describe("kustomize 5.8 (Flux) semantics", () => {
    function setup() {
      const src = makeResource(
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "src" },
          data: { s: "x" },
        } as unknown as ValueMap,
        at,
      );
      const a = makeResource(
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "app-a" },
          spec: {},
        } as unknown as ValueMap,
        at,
      );
      const b = makeResource(
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "app-b", namespace: "ns" },
          spec: {},
        } as unknown as ValueMap,
        at,
      );
      return { src, a, b, all: [src, a, b] };
    }
    const target = (select: Value, reject?: Value): Value =>
      ({
        select,
        ...(reject ? { reject } : {}),
        fieldPaths: ["spec.v"],
        options: { create: true },
      }) as unknown as Value;

    it("selects and rejects targets by anchored regexps, namespaces taken raw", () => {
      const { a, b, all } = setup();
      const c = ctx();
      applyReplacements(
        all,
        [
          {
            value: {
              source: { kind: "ConfigMap", fieldPath: "data.s" },
              targets: [target({ kind: "Deploy.*", name: "app-.*" }, [{ namespace: "n." }])],
            },
            at,
          },
          {
            value: { sourceValue: "5", targets: [target({ kind: "Deployment", namespace: "default" })] },
            at,
          },
        ],
        c,
        { kustomize: "5.8" },
      );
      expect(c.diags.items).toEqual([]);
      expect(a.obj.spec).toEqual({ v: "x" });
      expect(b.obj.spec).toEqual({});
    });

    it("sourceValue is untagged text; with a source it is an error; 5.5 does not know it", () => {
      const { a, all } = setup();
      const c = ctx();
      applyReplacements(all, [{ value: { sourceValue: "5", targets: [target({ name: "app-a" })] }, at }], c, {
        kustomize: "5.8",
      });
      expect(a.obj.spec).toEqual({ v: 5 });
      applyReplacements(
        all,
        [
          {
            value: { sourceValue: "5", source: { kind: "ConfigMap" }, targets: [target({ name: "app-a" })] },
            at,
          },
        ],
        c,
        { kustomize: "5.8" },
      );
      applyReplacements(all, [{ value: { sourceValue: "5", targets: [target({ name: "app-a" })] }, at }], c);
      expect(c.diags.items.map((d) => d.message)).toEqual([
        "value and resource selectors are mutually exclusive",
        'invalid Kustomization: json: unknown field "sourceValue"',
      ]);
    });

    it("a bad target regexp fails before any object is looked at", () => {
      const c = ctx();
      applyReplacements([], [{ value: { sourceValue: "5", targets: [target({ name: "a(" })] }, at }], c, {
        kustomize: "5.8",
      });
      expect(c.diags.items.map((d) => d.message)).toEqual([
        "error creating target selector: error parsing regexp: missing closing ): `^(?:a()$`",
      ]);
    });
  });

  describe("live differential against kubectl", () => {
    const kubectl = hasKubectl();
    it.skipIf(!kubectl)("fixtures still match `kubectl kustomize`", () => {
      for (const name of cases) {
        const dir = join(DATA, name);
        const expectedYaml = join(dir, "expected.yaml");
        if (!existsSync(expectedYaml)) continue;
        expect(execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" }), name).toBe(
          readFileSync(expectedYaml, "utf8"),
        );
      }
    });
    if (!kubectl)
      it.skip("kubectl is not on PATH; goldens are checked against committed output only", () => {});
  });
});

function hasKubectl(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
