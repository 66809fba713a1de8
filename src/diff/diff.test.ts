import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execArgv, which } from "../core/exec.ts";
import { expectGolden } from "../core/test-support.ts";
import { renderRepository } from "../flux/render.ts";
import { ChangeSet } from "./changes.ts";
import { type DiffOptions, type DiffResult, diffRepository } from "./diff.ts";
import { formatJson, formatMarkdown, formatText } from "./format.ts";
import { openGitRepo, readTree } from "./git.ts";

/**
 * `homeops diff` on Git repositories built at test time from testdata/repo: one commit of the fixture, one commit
 * of a change; each change has its expected diff as a golden (`UPDATE_GOLDENS=1` rewrites them after review), and
 * the incremental diff must equal the one from two full renders.
 */
const here = import.meta.dirname;
const fixture = path.join(here, "testdata", "repo");
const git = which("git");
if (!git) console.warn("skipping homeops diff Git tests: git is not installed");

const golden = (name: string, text: string): void =>
  expectGolden(path.join(here, "testdata", "golden"), name, text);

function sh(cwd: string, ...args: string[]): string {
  const r = execArgv(git!, ["-c", "user.name=homeops", "-c", "user.email=homeops@example.invalid", ...args], {
    cwd,
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** A fresh repository holding the fixture as its first commit. */
function newRepo(tmp: string, name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(fixture, dir, { recursive: true });
  sh(dir, "init", "-q", "-b", "main");
  sh(dir, "add", "-A");
  sh(dir, "commit", "-q", "-m", "base");
  return dir;
}

function edit(dir: string, file: string, from: string, to: string): void {
  const abs = path.join(dir, file);
  const text = fs.readFileSync(abs, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  fs.writeFileSync(abs, text.replace(from, to));
}

function write(dir: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

/** The changes, each applied to a fresh copy of the fixture. */
const scenarios: Record<string, (dir: string) => void> = {
  "values-change": (d) => edit(d, "apps/podinfo/app/helmrelease.yaml", "replicaCount: 1", "replicaCount: 2"),
  "chart-bump": (d) => {
    edit(d, "apps/podinfo/app/helmrelease.yaml", "version: 6.5.0", "version: 6.5.1");
    edit(d, "apps/echo/app/ocirepository.yaml", "tag: 2.4.0", "tag: 3.0.0");
  },
  "image-bump": (d) => {
    edit(d, "apps/web/app/deployment.yaml", "nginx:1.27.0", "nginx:1.27.1");
    edit(d, "apps/podinfo/app/helmrelease.yaml", "tag: 6.5.0", "tag: 6.5.1");
  },
  "added-app": (d) => {
    edit(d, "apps/kustomization.yaml", "  - ./web/ks.yaml\n", "  - ./web/ks.yaml\n  - ./whoami/ks.yaml\n");
    write(
      d,
      "apps/whoami/ks.yaml",
      fs.readFileSync(path.join(d, "apps/web/ks.yaml"), "utf8").replace(/web/g, "whoami"),
    );
    write(
      d,
      "apps/whoami/app/kustomization.yaml",
      "resources:\n  - ./deployment.yaml\ncomponents:\n  - ../../../components/common\n",
    );
    write(
      d,
      "apps/whoami/app/deployment.yaml",
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: whoami\nspec:\n  template:\n    spec:\n      containers:\n        - name: whoami\n          image: traefik/whoami:v1.10\n",
    );
  },
  "removed-app": (d) => {
    edit(d, "apps/kustomization.yaml", "  - ./web/ks.yaml\n", "");
    fs.rmSync(path.join(d, "apps/web"), { recursive: true });
  },
  "renamed-object": (d) => {
    edit(d, "apps/web/app/configmap.yaml", "name: web-config", "name: web-settings");
    edit(d, "apps/web/app/deployment.yaml", "name: web-config", "name: web-settings");
  },
  "component-change": (d) =>
    edit(d, "components/common/kustomization.yaml", "part-of: home-ops", "part-of: home-lab"),
  "variable-ripple": (d) =>
    edit(d, "clusters/main/cluster-settings.yaml", "DOMAIN: example.com", "DOMAIN: example.org"),
  "sops-secret-change": (d) => {
    edit(d, "apps/echo/app/secret.sops.yaml", "data:2kFz0Qk9Xg==", "data:q7Lr1Zc3Vw==");
    edit(d, "apps/echo/app/secret.sops.yaml", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z");
  },
  // The parent's patch on every app Kustomization: each app's objects change.
  "parent-patch": (d) =>
    edit(
      d,
      "clusters/main/apps.yaml",
      "        spec:\n",
      "        spec:\n          commonMetadata:\n            labels:\n              tier: apps\n",
    ),
  // A new file in a folder without kustomization.yaml: Flux's generated kustomization picks it up.
  "generated-folder-new-file": (d) =>
    write(
      d,
      "clusters/main/extra/settings.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: flux-system\ndata:\n  a: b\n",
    ),
  "new-problem": (d) =>
    edit(
      d,
      "apps/web/app/kustomization.yaml",
      "  - ./configmap.yaml\n",
      "  - ./configmap.yaml\n  - ./missing.yaml\n",
    ),
  "no-change": (d) => write(d, "README.md", "# not a manifest\n"),
};

/** The result without timings (they differ run to run). */
function stable(r: DiffResult): string {
  return formatJson(r);
}

describe.skipIf(!git)("homeops diff on Git fixtures", () => {
  let tmp = "";
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-diff-test-"));
  });
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const [name, change] of Object.entries(scenarios)) {
    it(name, () => {
      const dir = newRepo(tmp, name);
      change(dir);
      sh(dir, "add", "-A");
      sh(dir, "commit", "-q", "--allow-empty", "-m", name);
      const opts: DiffOptions = { repo: dir, base: "HEAD~1", head: "HEAD" };
      const r = diffRepository(opts);
      golden(`${name}.txt`, formatText(r));
      // Repeated changes (a component used by many apps) point back to the first one in a comment.
      if (name === "component-change") golden(`${name}.md`, formatMarkdown(r));
      // The incremental base side equals a full render of it.
      const full = diffRepository({ ...opts, incremental: false });
      expect(stable(r)).toBe(stable(full));
      if (name !== "no-change") expect(r.kustomizations.length).toBeGreaterThan(0);
      else expect(r.kustomizations).toEqual([]);
    });
  }

  it("--path renders from one entry directory on both sides", () => {
    const dir = newRepo(tmp, "path");
    scenarios["values-change"]!(dir);
    sh(dir, "commit", "-q", "-am", "values");
    const all = diffRepository({ repo: dir, base: "HEAD~1", head: "HEAD" });
    const one = diffRepository({ repo: dir, base: "HEAD~1", head: "HEAD", path: "apps/podinfo/app" });
    expect(one.summary).toEqual(all.summary);
    // Rendered as a Kustomization of its own (no postBuild: ${APP} stays); the change is the same.
    expect(one.kustomizations[0]?.objects.map((o) => `${o.kind} ${o.name}`)).toEqual([
      `HelmRelease ${"$"}{APP}`,
    ]);
    expect(one.kustomizations[0]?.objects[0]?.diff).toContain("+    replicaCount: 2");
  });

  it("the base side only builds what the change reaches", () => {
    const dir = newRepo(tmp, "reach");
    scenarios["values-change"]!(dir);
    sh(dir, "commit", "-q", "-am", "values");
    const r = diffRepository({ repo: dir, base: "HEAD~1", head: "HEAD" });
    expect(r.stats.baseBuilt).toBe(1);
    expect(r.stats.baseReused).toBe(4);
    // A variable every app substitutes: every app is built again.
    const v = newRepo(tmp, "reach-var");
    scenarios["variable-ripple"]!(v);
    sh(v, "commit", "-q", "-am", "var");
    const rv = diffRepository({ repo: v, base: "HEAD~1", head: "HEAD" });
    expect(rv.stats.baseBuilt).toBe(4);
  });

  it("markdown: summary, tables and one collapsible section per Kustomization", () => {
    const dir = newRepo(tmp, "markdown");
    scenarios["chart-bump"]!(dir);
    scenarios["image-bump"]!(dir);
    scenarios["sops-secret-change"]!(dir);
    sh(dir, "commit", "-q", "-am", "several");
    const r = diffRepository({ repo: dir, base: "HEAD~1", head: "HEAD" });
    golden("markdown.md", formatMarkdown(r, { header: "<!-- homeops-diff -->" }));
    golden("markdown.json", formatJson(r));
    // On a terminal: the same text, coloured.
    const colored = formatText(r, { color: true });
    expect(colored).toContain("\x1b[32m+    tag: 3.0.0\x1b[0m");
    expect(
      colored
        .split("\x1b[")
        .map((p, i) => (i === 0 ? p : p.replace(/^\d+m/, "")))
        .join(""),
    ).toBe(formatText(r));
  });

  it("markdown: the largest diffs are cut first to fit, and the comment says so", () => {
    const dir = newRepo(tmp, "cut");
    scenarios["variable-ripple"]!(dir);
    scenarios["values-change"]!(dir);
    sh(dir, "commit", "-q", "-am", "several");
    const r = diffRepository({ repo: dir, base: "HEAD~1", head: "HEAD" });
    const whole = formatMarkdown(r);
    const cut = formatMarkdown(r, { maxBytes: whole.length - 200 });
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(whole.length - 200);
    expect(cut).toMatch(/cut to fit GitHub's comment size \(largest first\)/);
    golden("markdown-cut.md", cut);
    const tiny = formatMarkdown(r, { maxBytes: 300 });
    expect(Buffer.byteLength(tiny)).toBeLessThanOrEqual(300);
    expect(tiny).toMatch(/cut at 300 bytes/);
  });

  it("--show-secrets shows the values; masking never does", () => {
    const dir = newRepo(tmp, "secrets");
    scenarios["sops-secret-change"]!(dir);
    edit(
      dir,
      "apps/web/app/configmap.yaml",
      "name: web-config",
      "name: web-config\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: web-password\nstringData:\n  password: hunter2",
    );
    sh(dir, "commit", "-q", "-am", "secret");
    const masked = formatText(diffRepository({ repo: dir, base: "HEAD~1", head: "HEAD" }));
    expect(masked).not.toContain("hunter2");
    expect(masked).not.toContain("q7Lr1Zc3Vw");
    expect(masked).toContain("API_TOKEN: '**MASKED** (changed)'");
    const shown = formatText(diffRepository({ repo: dir, base: "HEAD~1", head: "HEAD", showSecrets: true }));
    expect(shown).toContain("hunter2");
    expect(shown).toContain("q7Lr1Zc3Vw");
  });

  it("--ignore-metadata and --kind narrow the diff", () => {
    const dir = newRepo(tmp, "narrow");
    edit(
      dir,
      "apps/web/app/deployment.yaml",
      "checksum/config: 0123456789abcdef",
      "checksum/config: fedcba9876543210",
    );
    scenarios["values-change"]!(dir);
    sh(dir, "commit", "-q", "-am", "noise");
    const all = diffRepository({ repo: dir, base: "HEAD~1", head: "HEAD" });
    expect(all.summary).toEqual({ kustomizations: 2, changed: 2, added: 0, removed: 0 });
    const quiet = diffRepository({ repo: dir, base: "HEAD~1", head: "HEAD", ignoreMetadata: ["checksum/*"] });
    expect(quiet.summary).toEqual({ kustomizations: 1, changed: 1, added: 0, removed: 0 });
    const deployments = diffRepository({ repo: dir, base: "HEAD~1", head: "HEAD", kinds: ["deployment"] });
    expect(deployments.kustomizations.map((k) => k.name)).toEqual(["web"]);
  });

  it("the work tree (uncommitted and untracked files) against a revision, without touching it", () => {
    const dir = newRepo(tmp, "worktree");
    scenarios["values-change"]!(dir);
    scenarios["added-app"]!(dir);
    const status = sh(dir, "status", "--porcelain");
    const r = diffRepository({ repo: dir, base: "main" });
    expect(r.head).toBe("work tree");
    expect(r.kustomizations.map((k) => `${k.name} ${k.status}`)).toEqual([
      "apps changed",
      "podinfo changed",
      "whoami added",
    ]);
    expect(sh(dir, "status", "--porcelain")).toBe(status);
    expect(stable(r)).toBe(stable(diffRepository({ repo: dir, base: "main", incremental: false })));
  });

  it("two folders", () => {
    const a = newRepo(tmp, "dir-a");
    const b = path.join(tmp, "dir-b");
    fs.cpSync(a, b, { recursive: true });
    scenarios["image-bump"]!(b);
    const r = diffRepository({ baseDir: a, headDir: b });
    expect(r.images.map((i) => `${i.image} ${i.from} → ${i.to}`)).toEqual([
      "ghcr.io/stefanprodan/podinfo 6.5.0 → 6.5.1",
      "docker.io/library/nginx 1.27.0 → 1.27.1",
    ]);
    expect(stable(r)).toBe(stable(diffRepository({ baseDir: a, headDir: b, incremental: false })));
  });

  it("a revision read from Git objects renders like its checkout", () => {
    const dir = newRepo(tmp, "tree-fs");
    // A symlink to a file elsewhere in the repository, and one pointing out of it (dangling: a diagnostic).
    fs.symlinkSync("../../podinfo/app/helmrelease.yaml", path.join(dir, "apps/web/app/linked.yaml"));
    fs.symlinkSync("../../../../outside.yaml", path.join(dir, "apps/echo/app/outside.yaml"));
    edit(
      dir,
      "apps/web/app/kustomization.yaml",
      "  - ./configmap.yaml\n",
      "  - ./configmap.yaml\n  - ./linked.yaml\n",
    );
    edit(
      dir,
      "apps/echo/app/kustomization.yaml",
      "  - ./secret.sops.yaml\n",
      "  - ./secret.sops.yaml\n  - ./outside.yaml\n",
    );
    sh(dir, "add", "-A");
    sh(dir, "commit", "-q", "-m", "symlink");
    const tree = readTree(openGitRepo(dir), "HEAD");
    const fromGit = renderRepository(tree.root, { files: tree, showSecrets: true });
    const fromDisk = renderRepository(dir, { showSecrets: true });
    expect(JSON.stringify(fromGit.kustomizations.map((k) => k.objects))).toBe(
      JSON.stringify(fromDisk.kustomizations.map((k) => k.objects)),
    );
    expect(fromGit.kustomizations.find((k) => k.name === "web")?.objects.length).toBe(4);
    expect(fromGit.diagnostics.map((d) => `${d.code} ${d.file}`)).toEqual(
      fromDisk.diagnostics.map((d) => `${d.code} ${d.file}`),
    );
    expect(fromGit.diagnostics.map((d) => d.code)).toContain("KUS010");
  });
});

describe("ChangeSet", () => {
  const set = new ChangeSet([
    { path: "apps/a/values.yaml", status: "modified" },
    { path: "apps/b/new.yaml", status: "added" },
    { path: "vendor/", status: "added" },
  ]);
  it("a build is stale when a file it read, a folder it listed or a path it probed changed", () => {
    expect(set.stale({ paths: ["apps/a/values.yaml"], lists: [] })).toBe(true);
    expect(set.stale({ paths: ["apps/a/kustomization.yaml"], lists: ["apps/a"] })).toBe(false);
    expect(set.stale({ paths: [], lists: ["apps/b"] })).toBe(true);
    expect(set.stale({ paths: [], lists: ["apps"] })).toBe(true);
    expect(set.stale({ paths: [], lists: ["."] })).toBe(true);
    expect(set.stale({ paths: ["apps/b"], lists: [] })).toBe(true);
    expect(set.stale({ paths: ["vendor/x/y.yaml"], lists: [] })).toBe(true);
    expect(set.stale({ paths: ["apps/c/kustomization.yaml"], lists: ["apps/c"] })).toBe(false);
  });
  it(".sourceignore changes are global", () => {
    expect(set.global).toBe(false);
    expect(new ChangeSet([{ path: "apps/.sourceignore", status: "modified" }]).global).toBe(true);
  });
});
