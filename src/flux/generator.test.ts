import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Diagnostics } from "../core/diagnostics.ts";
import { RepoFs } from "../core/repo-fs.ts";
import { tempTree } from "../core/test-support.ts";
import { loadYaml } from "../core/yaml/load.ts";
import { isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import { KustomizeEngine } from "../kustomize/build.ts";
import {
  type GenerateInput,
  generateKustomization,
  generatorOverrideTop,
  isLocalRelativePath,
  manifestProblem,
} from "./generator.ts";
import { makeSourceFilter } from "./source-ignore.ts";

function y(text: string): ValueMap {
  const v = loadYaml(text, "test.yaml").docs[0]?.value;
  if (!isMap(v)) throw new Error("not a map");
  return v;
}

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

/** Runs the generator on `rel` of `root`, reading the existing kustomization like the engine does. */
function gen(root: string, rel: string, spec: Value | undefined, extra: Partial<GenerateInput> = {}) {
  const repo = new RepoFs(root);
  const dir = path.join(root, rel);
  let existing: ValueMap | undefined;
  for (const n of ["kustomization.yaml", "kustomization.yml", "Kustomization"]) {
    if (fs.existsSync(path.join(dir, n))) existing = y(fs.readFileSync(path.join(dir, n), "utf8"));
  }
  return generateKustomization({ fs: repo, dir, spec, existing, ...extra });
}

function build(root: string, rel: string, spec: Value | undefined) {
  const repo = new RepoFs(root);
  const diags = new Diagnostics();
  const r = new KustomizeEngine(repo).build(path.join(root, rel), {
    loadRestrictor: "none",
    reorder: "none",
    overrideTop: generatorOverrideTop(repo, spec, diags),
  });
  return { ...r, genDiags: diags.items };
}

describe("findOrGenerateKustomization", () => {
  it("scans recursively in lexical order; directories with a kustomization are one resource", () => {
    const root = tempTree({
      "apps/b.yaml": cm("b"),
      "apps/a.yml": cm("a"),
      "apps/README.md": "# not yaml",
      "apps/x.YAML": "not: considered",
      "apps/sub/c.yaml": cm("c"),
      "apps/sub/deeper/d.yaml": cm("d"),
      "apps/withks/kustomization.yaml": "resources: [e.yaml]\n",
      "apps/withks/e.yaml": cm("e"),
      "apps/withks/values.yaml": "replicaCount: 1\n",
      "apps/Kus/Kustomization": "resources: []\n",
      "apps/empty": null,
    });
    const r = gen(root, "apps", undefined);
    expect(r.ok).toBe(true);
    expect(r.created).toBe(true);
    expect(r.kustomization).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["./Kus", "./a.yml", "./b.yaml", "./sub/c.yaml", "./sub/deeper/d.yaml", "./withks"],
    });
  });

  it("an empty tree gets namespace _placeholder, and builds to nothing", () => {
    const root = tempTree({ "apps/notes.txt": "x", "apps/empty": null });
    const r = gen(root, "apps", {});
    expect(r.kustomization).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      namespace: "_placeholder",
    });
    const b = build(root, "apps", {});
    expect(b.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(b.resources).toHaveLength(0);
  });

  it("targetNamespace replaces the placeholder", () => {
    const root = tempTree({ "apps/x": null });
    expect(gen(root, "apps", { targetNamespace: "ns" }).kustomization.namespace).toBe("ns");
  });

  it("a Helm values.yaml in the tree fails the build with Flux's message", () => {
    const root = tempTree({
      "apps/app.yaml": cm("a"),
      "apps/helm/values.yaml": "replicaCount: 1\nimage:\n  tag: x\n",
    });
    const r = gen(root, "apps", {});
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({
      code: "FLX201",
      severity: "error",
      file: "apps/helm/values.yaml",
      message: "failed to decode Kubernetes YAML from apps/helm/values.yaml: missing Resource metadata",
    });
  });

  it(".sops.yaml breaks the scan unless the artifact filter removed it", () => {
    const root = tempTree({ "apps/.sops.yaml": "creation_rules:\n  - age: x\n", "apps/a.yaml": cm("a") });
    expect(gen(root, "apps", {}).ok).toBe(false);
    const filter = makeSourceFilter(new RepoFs(root), root);
    const r = gen(root, "apps", {}, { excluded: filter.excluded });
    expect(r.ok).toBe(true);
    expect(r.kustomization.resources).toEqual(["./a.yaml"]);
  });

  it("malformed YAML fails too", () => {
    const root = tempTree({ "apps/alert.yaml": 'a: "bad \\. escape"\n' });
    const r = gen(root, "apps", {});
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]?.message).toMatch(/^failed to decode Kubernetes YAML from apps\/alert\.yaml: /);
  });

  it("kyaml's metadata checks", () => {
    expect(manifestProblem(y("foo: bar"))).toBe("missing Resource metadata");
    expect(manifestProblem(y("apiVersion: v1\nmetadata:\n  name: x"))).toBe(
      "missing kind in object {{v1 } {{x } map[] map[]}}",
    );
    expect(manifestProblem(y("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: n"))).toBe(
      "missing metadata.name in object {{v1 ConfigMap} {{ n} map[] map[]}}",
    );
    expect(manifestProblem(y("apiVersion: v1\nkind: List\nitems: []"))).toBeUndefined();
    expect(manifestProblem(null)).toBeUndefined();
    expect(manifestProblem("scalar")).toBe("missing Resource metadata");
    // Comment-only and empty files are accepted (and listed).
    const root = tempTree({ "apps/empty.yaml": "# nothing\n", "apps/docs.yaml": "---\n---\n" });
    expect(gen(root, "apps", {}).kustomization.resources).toEqual(["./docs.yaml", "./empty.yaml"]);
  });

  it("symlinked directories are not descended, escaping links fail the walk", () => {
    const root = tempTree({ "shared/s.yaml": cm("s"), "apps/a.yaml": cm("a") });
    fs.symlinkSync(path.join(root, "shared"), path.join(root, "apps/shared"));
    fs.symlinkSync(path.join(root, "shared/s.yaml"), path.join(root, "apps/linked.yaml"));
    expect(gen(root, "apps", {}).kustomization.resources).toEqual(["./a.yaml", "./linked.yaml"]);
    const outside = tempTree({ "o.yaml": cm("o") });
    fs.symlinkSync(path.join(outside, "o.yaml"), path.join(root, "apps/zz.txt"));
    const r = gen(root, "apps", {});
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]?.code).toBe("FLX202");
  });
});

describe("existing kustomization", () => {
  it("round trip: defaults apiVersion/kind, drops unknown fields and empty values, sorts keys", () => {
    const root = tempTree({
      "k/kustomization.yaml": "Resources: [a.yaml]\nnamespace: ''\nfooBar: 1\nnamePrefix: null\n",
      "k/a.yaml": cm("a"),
    });
    const r = gen(root, "k", {});
    expect(r.created).toBe(false);
    expect(Object.keys(r.kustomization)).toEqual(["apiVersion", "kind", "resources"]);
    expect(r.kustomization.resources).toEqual(["a.yaml"]);
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([["FLX205", "warning"]]);
  });

  it("no resources ⇒ buildMetadata [originAnnotations], unless spec.buildMetadata", () => {
    const root = tempTree({
      "g/kustomization.yaml":
        "buildMetadata: [transformerAnnotations]\nconfigMapGenerator:\n  - name: c\n    literals: [a=b]\n",
      "n/kustomization.yaml": "resources: []\n",
      "b/kustomization.yaml": "bases: [../g]\n",
    });
    expect(gen(root, "g", {}).kustomization.buildMetadata).toEqual(["originAnnotations"]);
    expect(gen(root, "n", {}).kustomization.buildMetadata).toEqual(["originAnnotations"]);
    // Only `resources` counts, not the legacy `bases`.
    expect(gen(root, "b", {}).kustomization.buildMetadata).toEqual(["originAnnotations"]);
    expect(gen(root, "g", { buildMetadata: ["transformerAnnotations"] }).kustomization.buildMetadata).toEqual(
      ["transformerAnnotations"],
    );
  });
});

describe("spec merge", () => {
  const root = () =>
    tempTree({
      "k/kustomization.yaml": [
        "resources: [a.yaml]",
        "namespace: old",
        "namePrefix: p-",
        "patches:",
        "  - path: own.yaml",
        "images:",
        "  - name: ghcr.io/example/app",
        "    newTag: v1.2.3",
        "  - name: other",
        "    newName: o2",
        "    digest: sha256:aaa",
        "components: [../comp-a]",
        "",
      ].join("\n"),
      "k/a.yaml": cm("a"),
      "comp-a/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
      "comp-b/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
    });

  it("targetNamespace/namePrefix/nameSuffix replace, patches and components append, images merge", () => {
    const r = gen(root(), "k", {
      targetNamespace: "apps",
      nameSuffix: "-s",
      patches: [
        { patch: "- op: add\n  path: /x\n  value: 1", target: { kind: "ConfigMap", name: "a", version: "" } },
        { patch: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n", target: {} },
        { patch: "x: 1" },
      ],
      components: ["../comp-b"],
      images: [
        { name: "ghcr.io/example/app", newName: "registry.example.com/app" },
        { name: "other", newTag: "v2" },
        { name: "new", newName: "n2", digest: "sha256:bbb" },
      ],
    });
    expect(r.ok).toBe(true);
    const k = r.kustomization;
    expect(k.namespace).toBe("apps");
    expect(k.namePrefix).toBe("p-");
    expect(k.nameSuffix).toBe("-s");
    expect(k.patches).toEqual([
      { path: "own.yaml" },
      { patch: "- op: add\n  path: /x\n  value: 1", target: { kind: "ConfigMap", name: "a" } },
      { patch: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n", target: {} },
      { patch: "x: 1" },
    ]);
    expect(k.components).toEqual(["../comp-a", "../comp-b"]);
    expect(k.images).toEqual([
      { name: "ghcr.io/example/app", newName: "registry.example.com/app", newTag: "v1.2.3" },
      { name: "other", newName: "o2", newTag: "v2" },
      { digest: "sha256:bbb", name: "new", newName: "n2" },
    ]);
  });

  // fluxcd/pkg Test_Images: newName only when set, newTag and digest as a unit.
  const D = "sha256:aaaa";
  const IMG = "ghcr.io/example/app";
  it.each([
    [
      "newTag kept when only newName",
      { newTag: "v1" },
      { newName: "r/app" },
      { newName: "r/app", newTag: "v1" },
    ],
    [
      "newName kept when only newTag",
      { newName: "r/app" },
      { newTag: "v2" },
      { newName: "r/app", newTag: "v2" },
    ],
    ["digest kept when only newName", { digest: D }, { newName: "r/app" }, { newName: "r/app", digest: D }],
    ["digest cleared by newTag", { digest: D }, { newTag: "v2" }, { newTag: "v2" }],
    ["newTag cleared by digest", { newTag: "v1" }, { digest: D }, { digest: D }],
    [
      "newName kept, tag replaces digest",
      { newName: "r/app", digest: D },
      { newTag: "v2" },
      { newName: "r/app", newTag: "v2" },
    ],
    ["both set together", { newTag: "v1" }, { newTag: "v2", digest: D }, { newTag: "v2", digest: D }],
    ["name only: unchanged", { newName: "r/app", newTag: "v1" }, {}, { newName: "r/app", newTag: "v1" }],
    [
      "all overridden",
      { newName: "old/app", newTag: "v1" },
      { newName: "r/app", newTag: "v2" },
      { newName: "r/app", newTag: "v2" },
    ],
    ["appended", undefined, { newName: "r/app", newTag: "v2" }, { newName: "r/app", newTag: "v2" }],
  ] as [string, Record<string, string> | undefined, Record<string, string>, Record<string, string>][])(
    "images: %s",
    (_n, existing, flux, want) => {
      const kus = [
        "resources: [d.yaml]",
        ...(existing
          ? ["images:", `  - name: ${IMG}`, ...Object.entries(existing).map(([k, v]) => `    ${k}: ${v}`)]
          : []),
      ];
      const r = tempTree({ "k/kustomization.yaml": `${kus.join("\n")}\n`, "k/d.yaml": cm("d") });
      const out = gen(r, "k", { images: [{ name: IMG, ...flux }] });
      expect(out.kustomization.images).toEqual([{ name: IMG, ...want }]);
    },
  );

  it("components: remote or absolute refused; missing skipped only with ignoreMissingComponents", () => {
    const r1 = gen(root(), "k", { components: ["https://github.com/x/y//c"] });
    expect(r1.ok).toBe(false);
    expect(r1.diagnostics[0]).toMatchObject({
      code: "FLX203",
      message: "component path 'https://github.com/x/y//c' must be local and relative",
    });
    expect(gen(root(), "k", { components: ["/abs"] }).ok).toBe(false);
    const r2 = gen(root(), "k", { components: ["../comp-b", "../missing"], ignoreMissingComponents: true });
    expect(r2.kustomization.components).toEqual(["../comp-a", "../comp-b"]);
    // Without the flag the path stays and kustomize reports it.
    const r3 = gen(root(), "k", { components: ["../missing"] });
    expect(r3.ok).toBe(true);
    expect(r3.kustomization.components).toEqual(["../comp-a", "../missing"]);
  });

  it("isLocalRelativePath like fluxcd/pkg", () => {
    for (const [p, want] of [
      ["foobar.yaml", true],
      ["./foobar.yaml", true],
      ["file://foobar.yaml", true],
      ["file:///foobar.yaml", false],
      ["/foobar.yaml", false],
      ["https://github.com/owner/repo", false],
      ["git@github.com:owner/repo", false],
      ["ssh://git@github.com/owner/repo", false],
      ["github.com/owner/repo", false],
      ["GH:owner/repo", false],
      ["gh:", true], // the prefix must be shorter than the path
    ] as const) {
      expect(isLocalRelativePath(p), p).toBe(want);
    }
  });

  it("legacy patch fields are dropped by the v1 API unless asked for", () => {
    const spec = {
      patchesStrategicMerge: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }],
      patchesJson6902: [
        {
          target: { kind: "ConfigMap", name: "a" },
          patch: [{ op: "add", path: "/x", value: { b: 1, a: 2 } }],
        },
      ],
    };
    const off = gen(root(), "k", spec);
    expect(off.kustomization.patchesStrategicMerge).toBeUndefined();
    expect(off.diagnostics.map((d) => d.code)).toEqual(["FLX204", "FLX204"]);
    const on = gen(root(), "k", spec, { legacyPatchFields: true });
    expect(on.kustomization.patchesStrategicMerge).toEqual([
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}',
    ]);
    expect(on.kustomization.patchesJson6902).toEqual([
      { patch: '[{"op":"add","path":"/x","value":{"a":2,"b":1}}]', target: { kind: "ConfigMap", name: "a" } },
    ]);
  });

  it("wrong spec types are reported", () => {
    const r = gen(root(), "k", { targetNamespace: 3, images: "x" });
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "spec.targetNamespace must be a string",
      "spec.images must be a list",
    ]);
  });
});

describe("through KustomizeEngine", () => {
  it("a directory without kustomization builds with Flux's name transformers", () => {
    const root = tempTree({ "apps/cm.yaml": cm("test-configmap"), "apps/sub/cm2.yaml": cm("two") });
    const b = build(root, "apps", {
      namePrefix: "prefix-",
      nameSuffix: "-suffix",
      targetNamespace: "test-namespace",
    });
    expect(b.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(b.resources.map((r) => [r.obj.metadata, r.obj.kind])).toEqual([
      [{ name: "prefix-test-configmap-suffix", namespace: "test-namespace" }, "ConfigMap"],
      [{ name: "prefix-two-suffix", namespace: "test-namespace" }, "ConfigMap"],
    ]);
  });

  const corpus = "/work/shared/corpus/onedr0p__home-ops";
  it("onedr0p/home-ops kubernetes/apps (cluster-apps, no kustomization.yaml)", (ctx) => {
    if (!fs.existsSync(path.join(corpus, "kubernetes/apps"))) {
      console.log(`skipped: corpus not found at ${corpus}`);
      ctx.skip();
      return;
    }
    const ksDoc = loadYaml(
      fs.readFileSync(path.join(corpus, "kubernetes/flux/cluster/ks.yaml"), "utf8"),
      "ks.yaml",
    );
    const ksObj = ksDoc.docs[0]?.value;
    const spec = isMap(ksObj) ? ksObj.spec : undefined;
    const apps = path.join(corpus, "kubernetes/apps");
    const subdirs = fs
      .readdirSync(apps, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    const repo = new RepoFs(corpus);
    const filter = makeSourceFilter(repo, corpus);
    const g = generateKustomization({
      fs: repo,
      dir: apps,
      spec,
      existing: undefined,
      excluded: filter.excluded,
    });
    expect(g.ok).toBe(true);
    expect(g.kustomization.resources).toEqual(subdirs.map((d) => `./${d}`));

    const diags = new Diagnostics();
    const b = new KustomizeEngine(repo).build(apps, {
      loadRestrictor: "none",
      reorder: "none",
      overrideTop: generatorOverrideTop(repo, spec, diags, { excluded: filter.excluded }),
    });
    expect(diags.items).toEqual([]);
    expect(b.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const namespaces = b.resources
      .filter((r) => r.obj.kind === "Namespace")
      .map((r) => (r.obj.metadata as ValueMap).name);
    expect([...namespaces].sort()).toEqual(subdirs);
    const ks = b.resources.filter((r) => r.obj.kind === "Kustomization");
    expect(ks.length).toBeGreaterThan(subdirs.length);
    // spec.patches of cluster-apps reached every child Kustomization.
    for (const r of ks) {
      const patches = (r.obj.spec as ValueMap).patches as Value[];
      expect(
        Array.isArray(patches) &&
          patches.some((p) => isMap(p) && isMap(p.target) && p.target.kind === "HelmRelease"),
      ).toBe(true);
    }
    console.log(
      `onedr0p apps: ${subdirs.length} namespaces, ${ks.length} Kustomizations, ${b.resources.length} objects`,
    );
  });
});
