import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden, tempTree } from "../core/test-support.ts";
import { deepClone, getPath, isShared, type ValueMap } from "../core/yaml/value.ts";
import { renderJson, renderYaml } from "./output.ts";
import { renderRepository } from "./render.ts";

/**
 * Mini repositories, one per layout homeops must understand, rendered with `homeops build`; outputs are committed
 * goldens (`UPDATE_GOLDENS=1` rewrites them after review). scripts/flux-reference.test.ts proves the same renderer
 * against kubectl on the corpus.
 */
const here = import.meta.dirname;
const repos: Record<string, string> = {
  "home-ops": path.resolve(here, "..", "..", "examples", "home-ops"),
  ...Object.fromEntries(
    fs
      .readdirSync(path.join(here, "testdata", "repos"))
      .map((n) => [n, path.join(here, "testdata", "repos", n)]),
  ),
};

const golden = (name: string, text: string): void =>
  expectGolden(path.join(here, "testdata", "golden"), name, text);

describe("homeops build on mini repositories", () => {
  for (const [name, root] of Object.entries(repos)) {
    it(name, () => {
      const r = renderRepository(root);
      golden(`${name}.yaml`, renderYaml(r));
      const diags = r.diagnostics.map(
        (d) => `${d.severity} ${d.code} ${d.file ?? ""}:${d.line ?? ""} ${d.message}`,
      );
      golden(`${name}.diagnostics.txt`, `${diags.join("\n")}\n`);
    });
  }

  it("is deterministic", () => {
    const a = renderJson(renderRepository(repos["cluster-template"]!));
    const b = renderJson(renderRepository(repos["cluster-template"]!));
    expect(a).toBe(b);
  });

  it("builds artifacts in memory exactly as from temporary directories", () => {
    const onDisk = renderRepository(repos.artifacts!, { keepArtifacts: true });
    try {
      expect(renderYaml(renderRepository(repos.artifacts!))).toBe(renderYaml(onDisk));
    } finally {
      onDisk.cleanup?.();
    }
  });

  it("reports symlinks leading out of the repository instead of crashing", () => {
    const tmp = tempTree({
      "outside/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n",
      "repo/apps/kustomization.yaml": "resources:\n  - cm.yaml\n",
      "repo/apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    });
    const repo = path.join(tmp, "repo");
    fs.symlinkSync(path.join(tmp, "outside", "secret.yaml"), path.join(repo, "apps", "linked.yaml"));
    fs.symlinkSync(path.join(tmp, "outside"), path.join(repo, "linked-dir"));
    const r = renderRepository(repo, { path: "apps" });
    expect(r.kustomizations.flatMap((k) => k.objects.map((o) => getPath(o, ["metadata", "name"])))).toEqual([
      "c",
    ]);
    expect(r.diagnostics.filter((d) => d.code === "FLX033").map((d) => d.file)).toEqual([
      "apps/linked.yaml",
      "linked-dir",
    ]);
  });

  it("names the FluxInstance's source and root Kustomization after spec.sync.name", () => {
    const tmp = tempTree({
      "clusters/main/flux-instance.yaml":
        "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata:\n  name: flux\n  namespace: flux-system\nspec:\n  sync:\n    kind: GitRepository\n    name: home-ops\n    url: https://example.com/home-ops.git\n    ref: refs/heads/main\n    path: clusters/main\n",
      "clusters/main/apps.yaml":
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: home-ops\n",
      "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n",
    });
    const r = renderRepository(tmp);
    expect(r.kustomizations.map((k) => `${k.namespace}/${k.name}`)).toEqual([
      "flux-system/home-ops",
      "flux-system/apps",
    ]);
    expect(r.kustomizations[1]?.objects.map((o) => getPath(o, ["metadata", "name"]))).toEqual(["c"]);
  });

  it("stops where Flux's generated kustomization fails, reporting that once", () => {
    const tmp = tempTree({
      "apps/values.yaml": "foo: bar\n",
      "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    });
    const r = renderRepository(tmp, { path: "apps" });
    expect(r.diagnostics.map((d) => `${d.code} ${d.file}:${d.line ?? ""}`).sort()).toEqual([
      "FLX011 apps:",
      "FLX201 apps/values.yaml:1",
    ]);
    expect(r.kustomizations[0]?.objects).toEqual([]);
  });

  it("masks secrets unless asked", () => {
    const masked = renderYaml(renderRepository(repos.sops!));
    expect(masked).not.toContain("hunter2");
    expect(renderYaml(renderRepository(repos.sops!, { showSecrets: true }))).toContain("hunter2");
  });

  it("reports an object it cannot write instead of crashing", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-unwritable-"));
    try {
      fs.mkdirSync(path.join(dir, "apps"));
      fs.writeFileSync(
        path.join(dir, "apps", "cm.yaml"),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: "a\\x7fb"\n',
      );
      const r = renderRepository(dir, { path: "apps" });
      const text = renderYaml(r);
      expect(text).toContain("cannot be written");
      expect(r.diagnostics.map((d) => d.code)).toContain("KUS050");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves orphan directories alone", () => {
    const r = renderRepository(repos.clusters!);
    expect(r.kustomizations.map((k) => k.path)).not.toContain("./apps/orphan");
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("shared parts of parsed files", () => {
  const sync = (cluster: string) =>
    [
      "apiVersion: source.toolkit.fluxcd.io/v1",
      "kind: GitRepository",
      "metadata: {name: flux-system, namespace: flux-system}",
      "spec: {url: https://example.com/repo, ref: {branch: main}}",
      "---",
      "apiVersion: kustomize.toolkit.fluxcd.io/v1",
      "kind: Kustomization",
      "metadata: {name: flux-system, namespace: flux-system}",
      `spec: {path: ./clusters/${cluster}, sourceRef: {kind: GitRepository, name: flux-system}}`,
      "",
    ].join("\n");
  const ks = (name: string, p: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec: {path: ${p}, sourceRef: {kind: GitRepository, name: flux-system}}\n`;
  const crd = [
    "apiVersion: apiextensions.k8s.io/v1",
    "kind: CustomResourceDefinition",
    "metadata: {name: widgets.example.com}",
    "spec:",
    "  group: example.com",
    "  names: {kind: Widget, plural: widgets}",
    "  scope: Namespaced",
    "  versions:",
    "    - name: v1",
    "      served: true",
    "      storage: true",
    "      schema:",
    "        openAPIV3Schema:",
    "          description: the original description, long enough to be remembered when printed twice",
    "          type: object",
    "",
  ].join("\n");

  it("are printed once per place and copied before a patch changes them", () => {
    const root = tempTree({
      "clusters/a/flux-system/gotk-sync.yaml": sync("a"),
      "clusters/a/crds.yaml": ks("crds", "./crds/patched"),
      "clusters/b/flux-system/gotk-sync.yaml": sync("b"),
      "clusters/b/crds.yaml": ks("crds", "./crds/base"),
      "crds/base/kustomization.yaml": "resources: [crd.yaml, cm.yaml]\n",
      "crds/base/crd.yaml": crd,
      "crds/base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: '1'}\n",
      "crds/patched/kustomization.yaml": [
        "resources: [../base]",
        "patches:",
        "  - target: {kind: CustomResourceDefinition}",
        "    patch: |-",
        "      - op: replace",
        "        path: /spec/versions/0/schema/openAPIV3Schema/description",
        "        value: patched",
        "  - patch: |-",
        "      apiVersion: v1",
        "      kind: ConfigMap",
        "      metadata: {name: settings}",
        "      data: {b: '2'}",
        "",
      ].join("\n"),
    });
    const r = renderRepository(root);
    expect(r.diagnostics).toEqual([]);
    const objects = (path: string) => r.kustomizations.find((k) => k.path === path)?.objects ?? [];
    const kindOf = (path: string, kind: string) => objects(path).find((o) => o.kind === kind) as ValueMap;
    const version = (o: ValueMap) => (getPath(o, ["spec", "versions"]) as ValueMap[])[0] as ValueMap;
    const patched = kindOf("./crds/patched", "CustomResourceDefinition");
    const plain = kindOf("./crds/base", "CustomResourceDefinition");
    expect(getPath(version(patched), ["schema", "openAPIV3Schema", "description"])).toBe("patched");
    expect(getPath(version(plain), ["schema", "openAPIV3Schema", "description"])).toMatch(/^the original/);
    expect(isShared(getPath(plain, ["spec", "versions"]) as object)).toBe(true);
    expect(isShared(getPath(patched, ["spec", "versions"]) as object)).toBe(false);
    expect(getPath(kindOf("./crds/patched", "ConfigMap"), ["data"])).toEqual({ a: "1", b: "2" });
    expect(getPath(kindOf("./crds/base", "ConfigMap"), ["data"])).toEqual({ a: "1" });
    // The printed output is the same as printing copies of every object.
    const text = renderYaml(r);
    const copies = r.kustomizations.map((k) => ({ ...k, objects: k.objects.map((o) => deepClone(o)) }));
    expect(text).toBe(renderYaml({ ...r, kustomizations: copies }));
    expect(text).toContain("description: patched");
    expect(text.match(/the original description/g)).toHaveLength(1);
  });
});
