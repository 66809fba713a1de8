import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { Diagnostics, type Position } from "../core/diagnostics.ts";
import { RepoFs } from "../core/repo-fs.ts";
import { tempTree } from "../core/test-support.ts";
import type { ValueMap } from "../core/yaml/value.ts";
import {
  type ArtifactSpec,
  isArtifactGenerator,
  type MaterializedArtifact,
  materializeArtifact,
  readArtifactGenerator,
} from "./artifact.ts";
import { doublestarMatch, goFsGlob, goPathMatch } from "./artifact-glob.ts";

const origin: Position = { file: "clusters/artifacts.yaml", line: 1, column: 1 };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Relative paths of all files (and empty directories, with a trailing slash) under `dir`. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    const names = fs.readdirSync(d).sort();
    if (names.length === 0 && rel !== "") out.push(`${rel}/`);
    for (const n of names) {
      const abs = path.join(d, n);
      const r = rel === "" ? n : `${rel}/${n}`;
      if (fs.statSync(abs).isDirectory()) walk(abs, r);
      else out.push(r);
    }
  };
  walk(dir, "");
  return out;
}

function generator(copy: unknown[], extra: Record<string, unknown> = {}, name = "app"): ValueMap {
  return {
    apiVersion: "source.extensions.fluxcd.io/v1beta1",
    kind: "ArtifactGenerator",
    metadata: { name: "gen", namespace: "flux-system" },
    spec: {
      sources: [{ alias: "repo", kind: "GitRepository", name: "flux-system" }],
      artifacts: [{ name, copy }],
      ...extra,
    },
  } as unknown as ValueMap;
}

interface Built {
  art: MaterializedArtifact;
  files: string[];
  diags: Diagnostics;
  read(rel: string): string;
}

function build(root: string, copy: unknown[], opts: { name?: string; specs?: ArtifactSpec[] } = {}): Built {
  const diags = new Diagnostics();
  const specs = opts.specs ?? readArtifactGenerator(generator(copy, {}, opts.name), origin, diags);
  expect(specs).toHaveLength(1);
  const art = materializeArtifact(new RepoFs(root), specs[0]!, () => root);
  cleanups.push(art.cleanup);
  diags.addAll(art.diagnostics);
  return {
    art,
    diags,
    files: art.dir ? listing(art.dir) : [],
    read: (rel) => fs.readFileSync(path.join(art.dir!, rel), "utf8"),
  };
}

const codes = (d: Diagnostics): string[] => d.items.map((i) => i.code);

describe("glob dialects", () => {
  it("Go path.Match: * stops at slashes, ** is just *, bad patterns are errors", () => {
    expect(goPathMatch("*.yaml", "a.yaml")).toBe(true);
    expect(goPathMatch("**", "a/b")).toBe(false);
    expect(goPathMatch("a/**", "a/b")).toBe(true);
    expect(goPathMatch("[a-c]x", "bx")).toBe(true);
    expect(goPathMatch("[^a]x", "ax")).toBe(false);
    expect(() => goPathMatch("[", "x")).toThrow();
    expect(() => goPathMatch("a[", "b")).toThrow();
  });

  it("io/fs.Glob lists one level per pattern segment", () => {
    const fsys = {
      exists: (p: string) => ["a", "a/b", "a/b/c.yaml", "a/d.yaml"].includes(p),
      readDir: (p: string) => ({ ".": ["a"], a: ["b", "d.yaml"], "a/b": ["c.yaml"] })[p],
    };
    expect(goFsGlob(fsys, "a/**")).toEqual(["a/b", "a/d.yaml"]);
    expect(goFsGlob(fsys, "**/*.yaml")).toEqual(["a/d.yaml"]);
    expect(goFsGlob(fsys, "*/*/*.yaml")).toEqual(["a/b/c.yaml"]);
    expect(goFsGlob(fsys, "./a/*")).toEqual([]);
  });

  it("doublestar.Match: ** spans directories and matches the directory itself", () => {
    expect(doublestarMatch("**/testdata/**", "x/testdata/y.yaml")).toBe(true);
    expect(doublestarMatch("**/testdata/**", "testdata")).toBe(true);
    expect(doublestarMatch("sub/**", "sub")).toBe(true);
    expect(doublestarMatch("*.{md,txt}", "a.txt")).toBe(true);
    expect(doublestarMatch("*.md", "a/b.md")).toBe(false);
    expect(() => doublestarMatch("[", ".")).toThrow();
    expect(() => doublestarMatch("{a", ".")).toThrow();
  });
});

describe("copy operations", () => {
  const src = {
    "apps/base/podinfo/kustomization.yaml": "resources: [release.yaml]\n",
    "apps/base/podinfo/release.yaml": "kind: HelmRelease\n",
    "apps/base/README.md": "# base\n",
    "apps/staging/kustomization.yaml": "resources: [../base/podinfo]\n",
    "apps/staging/deep/x.yaml": "x: 1\n",
    "configs/a.yaml": "a: 1\n",
    "configs/b.yaml": "b: 1\n",
    "configs/notes.md": "n\n",
    "configs/sub/c.yaml": "c: 1\n",
    "configs/testdata/t.yaml": "t: 1\n",
    "configs/empty/": "",
    "logo.png": Buffer.from([1, 2, 3]),
    "values.yaml": "image:\n  tag: v1\n  repo: ghcr.io/x\nports: [80, 443]\nreplicas: 1\n",
    "values-prod.yaml": "image:\n  tag: v2\nports: [8080]\n---\nextra: true\n",
  };

  it("dir/** strips the directory and copies matched sub-directories recursively", () => {
    const b = build(tempTree(src), [
      { from: "@repo/apps/base/**", to: "@artifact/base/" },
      { from: "@repo/apps/staging/**", to: "@artifact/staging/" },
    ]);
    expect(b.diags.items).toEqual([]);
    expect(b.files).toEqual([
      "base/README.md",
      "base/podinfo/kustomization.yaml",
      "base/podinfo/release.yaml",
      "staging/deep/x.yaml",
      "staging/kustomization.yaml",
    ]);
    expect(b.art.toRepoPath("base/podinfo/release.yaml")).toBe("apps/base/podinfo/release.yaml");
    expect(b.art.toRepoPath("staging")).toBe("apps/staging");
    expect(b.art.toRepoPath("base/podinfo")).toBe("apps/base/podinfo");
    expect(b.art.toRepoPath("staging/missing.yaml")).toBe("apps/staging/missing.yaml");
  });

  it("other globs keep the whole matched path (io/fs.Glob: ** is one segment)", () => {
    const b = build(tempTree(src), [
      { from: "@repo/configs/*.yaml", to: "@artifact/apps/" },
      { from: "@repo/**/*.yaml", to: "@artifact/flat/" },
    ]);
    expect(b.files).toEqual([
      "apps/configs/a.yaml",
      "apps/configs/b.yaml",
      "flat/configs/a.yaml",
      "flat/configs/b.yaml",
    ]);
  });

  it("a file goes to dest/, to a file name, or into an existing directory", () => {
    const b = build(tempTree(src), [
      { from: "@repo/configs/a.yaml", to: "@artifact/dir/" },
      { from: "@repo/configs/a.yaml", to: "@artifact/renamed.yaml" },
      { from: "@repo/configs/b.yaml", to: "@artifact/dir" },
    ]);
    expect(b.files).toEqual(["dir/a.yaml", "dir/b.yaml", "renamed.yaml"]);
    expect(b.art.toRepoPath("renamed.yaml")).toBe("configs/a.yaml");
  });

  it("a directory without glob is copied as a sub-directory (cp -r), empty directories kept", () => {
    const b = build(tempTree(src), [
      { from: "@repo/configs", to: "@artifact/" },
      { from: "@repo/apps/staging/", to: "@artifact/x/" },
    ]);
    expect(b.files).toEqual([
      "configs/a.yaml",
      "configs/b.yaml",
      "configs/empty/",
      "configs/notes.md",
      "configs/sub/c.yaml",
      "configs/testdata/t.yaml",
      "x/staging/deep/x.yaml",
      "x/staging/kustomization.yaml",
    ]);
  });

  it("@alias/ copies the whole (filtered) source; the archive drops default-ignored files", () => {
    const root = tempTree({
      ...src,
      ".sourceignore": "configs/\n",
      ".git/HEAD": "ref\n",
      ".github/ci.yaml": "x\n",
    });
    const b = build(root, [{ from: "@repo/", to: "@artifact/" }]);
    // .sourceignore turned the source defaults off, so logo.png was in the GitRepository artifact; the
    // generator's own archive filter (default patterns) still drops it, and .sourceignore itself stays.
    expect(b.files).toEqual([
      ".sourceignore",
      "apps/base/README.md",
      "apps/base/podinfo/kustomization.yaml",
      "apps/base/podinfo/release.yaml",
      "apps/staging/deep/x.yaml",
      "apps/staging/kustomization.yaml",
      "values-prod.yaml",
      "values.yaml",
    ]);
    expect(b.art.toRepoPath(".")).toBe(".");
  });

  it("excludes match file names anywhere, source paths, and paths below the glob's literal root", () => {
    const b = build(tempTree(src), [
      { from: "@repo/configs/**", to: "@artifact/", exclude: ["*.md", "**/testdata/**", "sub/**"] },
    ]);
    expect(b.files).toEqual(["a.yaml", "b.yaml", "empty/"]);
    const single = build(tempTree(src), [
      { from: "@repo/configs/notes.md", to: "@artifact/", exclude: ["*.md"] },
    ]);
    expect(single.diags.items).toEqual([]);
    expect(single.files).toEqual([]);
  });

  it("Merge deep-merges maps, replaces lists, folds documents, and re-marshals the YAML", () => {
    const b = build(tempTree(src), [
      { from: "@repo/values.yaml", to: "@artifact/chart/values.yaml" },
      { from: "@repo/values-prod.yaml", to: "@artifact/chart/values.yaml", strategy: "Merge" },
      { from: "@repo/values-prod.yaml", to: "@artifact/new.yaml", strategy: "Merge" },
    ]);
    expect(b.diags.items).toEqual([]);
    expect(b.read("chart/values.yaml")).toBe(
      "extra: true\nimage:\n  repo: ghcr.io/x\n  tag: v2\nports:\n- 8080\nreplicas: 1\n",
    );
    // Nothing to merge into: a plain copy, bytes unchanged.
    expect(b.read("new.yaml")).toBe(src["values-prod.yaml"]);
  });

  it("Merge of a YAML list document fails the build", () => {
    const root = tempTree({ "a.yaml": "a: 1\n", "list.yaml": "- 1\n" });
    const b = build(root, [
      { from: "@repo/a.yaml", to: "@artifact/a.yaml" },
      { from: "@repo/list.yaml", to: "@artifact/a.yaml", strategy: "Merge" },
    ]);
    expect(b.art.dir).toBeUndefined();
    expect(codes(b.diags)).toEqual(["FLX303"]);
    expect(b.diags.items[0]!.message).toContain("cannot unmarshal YAML document");
  });

  it("Extract unpacks tarballs (single file or glob, non-tarballs skipped)", () => {
    const tgz = makeTgz([
      { name: "podinfo/", dir: true },
      { name: "podinfo/Chart.yaml", data: "name: podinfo\n" },
      { name: "podinfo/templates/deploy.yaml", data: "kind: Deployment\n" },
    ]);
    const root = tempTree({ "charts/podinfo-6.7.0.tgz": tgz, "charts/README.md": "x\n" });
    const b = build(root, [
      { from: "@repo/charts/podinfo-6.7.0.tgz", to: "@artifact/", strategy: "Extract" },
      { from: "@repo/**/*.tgz", to: "@artifact/again/", strategy: "Extract" },
    ]);
    expect(b.diags.items).toEqual([]);
    expect(b.files).toEqual([
      "again/podinfo/Chart.yaml",
      "again/podinfo/templates/deploy.yaml",
      "podinfo/Chart.yaml",
      "podinfo/templates/deploy.yaml",
    ]);
    expect(b.art.toRepoPath("podinfo/Chart.yaml")).toBe("charts/podinfo-6.7.0.tgz");
    const bad = build(root, [{ from: "@repo/charts/README.md", to: "@artifact/", strategy: "Extract" }]);
    expect(bad.diags.items[0]!.message).toContain("extract strategy requires tarball file");
  });

  it.each([
    [{ from: "@repo/missing.yaml", to: "@artifact/" }, "source 'missing.yaml' does not exist"],
    [{ from: "@repo/*.json", to: "@artifact/" }, "no files match pattern '*.json' in source 'repo'"],
    [
      { from: "@repo/configs/[", to: "@artifact/" },
      "invalid glob pattern 'configs/[': syntax error in pattern",
    ],
    [{ from: "@other/a.yaml", to: "@artifact/" }, "source alias 'other' not found"],
    [{ from: "@repo/configs/*.md", to: "@artifact/", exclude: ["*.md"] }, "were excluded"],
    [{ from: "@repo/configs/a.yaml", to: "@artifact/", exclude: ["[a"] }, "invalid exclude pattern '[a'"],
    [{ from: "@repo/../x", to: "@artifact/" }, "path escapes from parent"],
    [{ from: "@repo/configs", to: "@artifact/", strategy: "Extract" }, "not supported for directories"],
  ])("a failing copy operation is FLX303 and no artifact (%j)", (op, text) => {
    const b = build(tempTree(src), [op]);
    expect(b.art.dir).toBeUndefined();
    expect(codes(b.diags)).toEqual(["FLX303"]);
    expect(b.diags.items[0]!.message).toContain(text);
  });

  it("a file where a directory is needed fails like os.Root", () => {
    const b = build(tempTree(src), [
      { from: "@repo/configs/a.yaml", to: "@artifact/x" },
      { from: "@repo/configs/b.yaml", to: "@artifact/x/y/" },
    ]);
    expect(b.diags.items[0]!.message).toContain("not a directory");
  });

  it("an artifact named like an archive-ignored extension ends up empty", () => {
    const b = build(tempTree(src), [{ from: "@repo/configs/a.yaml", to: "@artifact/" }], {
      name: "bundle.zip",
    });
    expect(b.art.dir).toBeDefined();
    expect(b.files).toEqual([]);
  });
});

describe("reading generators", () => {
  it("sources not in this repository: FLX302 and no artifact", () => {
    const diags = new Diagnostics();
    const specs = readArtifactGenerator(generator([{ from: "@repo/a", to: "@artifact/" }]), origin, diags);
    const art = materializeArtifact(new RepoFs(tempTree({ a: "x" })), specs[0]!, () => undefined);
    expect(art.dir).toBeUndefined();
    expect(art.diagnostics.map((d) => d.code)).toEqual(["FLX302"]);
  });

  it("object identity, defaults and metadata", () => {
    const diags = new Diagnostics();
    const obj = generator([{ from: "@repo/a", to: "@artifact/" }], {
      commonMetadata: { labels: { team: "a" } },
    });
    (obj.spec as { artifacts: Record<string, unknown>[] }).artifacts[0]!.originRevision = "@repo";
    const [spec] = readArtifactGenerator(obj, origin, diags);
    expect(isArtifactGenerator(obj)).toBe(true);
    expect(diags.items).toEqual([]);
    expect(spec).toMatchObject({
      generator: { namespace: "flux-system", name: "gen" },
      name: "app",
      namespace: "flux-system",
      originRevision: "@repo",
      labels: { team: "a" },
      sources: { repo: { kind: "GitRepository", name: "flux-system", namespace: "flux-system" } },
      copy: [{ from: "@repo/a", to: "@artifact/", exclude: [], strategy: "Overwrite" }],
    });
  });

  it("schema violations are FLX300, controller validation FLX301", () => {
    const d1 = new Diagnostics();
    expect(
      readArtifactGenerator(
        generator([{ from: "repo/a", to: "@artifact/", strategy: "Copy" }], {}, "Bad_Name"),
        origin,
        d1,
      ),
    ).toEqual([]);
    expect(codes(d1)).toEqual(["FLX300", "FLX300", "FLX300"]);
    const d2 = new Diagnostics();
    const dup = generator([{ from: "@repo/a", to: "@artifact/" }], {
      sources: [
        { alias: "repo", kind: "GitRepository", name: "a" },
        { alias: "repo", kind: "GitRepository", name: "b" },
      ],
    });
    expect(readArtifactGenerator(dup, origin, d2)).toEqual([]);
    expect(d2.items[0]).toMatchObject({
      code: "FLX301",
      message: expect.stringContaining("duplicate source alias 'repo'"),
    });
  });

  it("an artifact named like a source alias is staged inside that source (FLX304)", () => {
    const b = build(
      tempTree({ "a.yaml": "a: 1\n", "b/c.yaml": "c: 1\n" }),
      [{ from: "@repo/a.yaml", to: "@artifact/x/" }],
      {
        name: "repo",
      },
    );
    expect(codes(b.diags)).toEqual(["FLX304"]);
    expect(b.files).toEqual(["a.yaml", "b/c.yaml", "x/a.yaml"]);
  });

  it("spec.pathPattern expands to one artifact per matching directory", () => {
    const root = tempTree({
      "apps/Auth/envs/prod/k.yaml": "a\n",
      "apps/web/envs/dev/k.yaml": "w\n",
      "apps/web/other/k.yaml": "o\n",
    });
    const obj = generator([{ from: "@repo/apps/{app}/envs/{env}/**", to: "@artifact/" }], {
      pathPattern: "@repo/apps/{app}/envs/{env}",
    });
    (obj.spec as { artifacts: Record<string, unknown>[] }).artifacts[0]!.name = "{app}-{env}";
    const diags = new Diagnostics();
    expect(readArtifactGenerator(obj, origin, diags)).toEqual([]);
    expect(codes(diags)).toEqual(["FLX305"]);
    const rfs = new RepoFs(root);
    const specs = readArtifactGenerator(obj, origin, diags, { fs: rfs, sourceRoot: () => root });
    expect(specs.map((s) => [s.name, s.labels, s.copy[0]!.from])).toEqual([
      ["auth-prod", { app: "auth", env: "prod" }, "@repo/apps/Auth/envs/prod/**"],
      ["web-dev", { app: "web", env: "dev" }, "@repo/apps/web/envs/dev/**"],
    ]);
    const art = materializeArtifact(rfs, specs[0]!, () => root);
    cleanups.push(art.cleanup);
    expect(listing(art.dir!)).toEqual(["k.yaml"]);
  });
});

describe("corpus: fluxcd/flux2-kustomize-helm-example", () => {
  const repo = "/work/shared/corpus/fluxcd__flux2-kustomize-helm-example";
  const present = fs.existsSync(path.join(repo, "clusters/staging/artifacts.yaml"));
  if (!present) console.log(`skipping corpus test: ${repo} is absent`);
  it.skipIf(!present)("staging artifacts hold base/podinfo/* and staging/*", () => {
    const file = "clusters/staging/artifacts.yaml";
    const docs = parseAllDocuments(fs.readFileSync(path.join(repo, file), "utf8")).map(
      (d) => d.toJS() as ValueMap,
    );
    const diags = new Diagnostics();
    const rfs = new RepoFs(repo);
    const specs = docs
      .filter(isArtifactGenerator)
      .flatMap((o) => readArtifactGenerator(o, { file, line: 1, column: 1 }, diags));
    expect(specs.map((s) => `${s.namespace}/${s.name}`)).toEqual([
      "flux-system/infrastructure",
      "flux-system/apps",
    ]);
    const built = Object.fromEntries(
      specs.map((s) => {
        const art = materializeArtifact(rfs, s, (alias) => (alias === "monorepo" ? repo : undefined));
        cleanups.push(art.cleanup);
        diags.addAll(art.diagnostics);
        return [s.name, art];
      }),
    );
    expect(diags.items).toEqual([]);
    const apps = listing(built.apps!.dir!);
    expect(apps).toEqual(
      expect.arrayContaining([
        "base/podinfo/kustomization.yaml",
        "base/podinfo/release.yaml",
        "staging/kustomization.yaml",
        "staging/podinfo-values.yaml",
      ]),
    );
    expect(apps.every((f) => f.startsWith("base/podinfo/") || f.startsWith("staging/"))).toBe(true);
    expect(built.apps!.toRepoPath("staging")).toBe("apps/staging");
    const infra = listing(built.infrastructure!.dir!);
    expect(infra).toEqual(
      expect.arrayContaining(["configs/kustomization.yaml", "controllers/kustomization.yaml"]),
    );
    expect(
      parse(fs.readFileSync(path.join(built.apps!.dir!, "staging/kustomization.yaml"), "utf8")),
    ).toBeTruthy();
  });
});

/** A minimal ustar writer for test archives. */
function makeTgz(entries: { name: string; data?: string; dir?: boolean }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? "");
    const h = Buffer.alloc(512);
    h.write(e.name, 0, "utf8");
    h.write(e.dir ? "0000755\0" : "0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write(e.dir ? "5" : "0", 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
