import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RepoFs } from "../core/repo-fs.ts";
import { KustomizeEngine } from "./build.ts";
import { renderResources } from "./render.ts";

/** Hostile trees end in diagnostics, within bounded time and memory, never a hang or a crash. */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-hostile-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const root = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

function build(root: string, dir = root) {
  return new KustomizeEngine(new RepoFs(root)).build(dir, { loadRestrictor: "none" });
}

function codes(r: ReturnType<typeof build>): string[] {
  return r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
}

const CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";

describe("hostile input", () => {
  it("a symlink loop is a diagnostic", () => {
    const root = tree("loop", { "kustomization.yaml": "resources: [a.yaml]\n" });
    fs.symlinkSync(path.join(root, "b.yaml"), path.join(root, "a.yaml"));
    fs.symlinkSync(path.join(root, "a.yaml"), path.join(root, "b.yaml"));
    expect(codes(build(root))).toEqual(["KUS013"]);
  });

  it("a directory symlinked to its parent is a cycle", () => {
    const root = tree("dirloop", { "kustomization.yaml": "resources: [sub]\n" });
    fs.symlinkSync(root, path.join(root, "sub"));
    expect(codes(build(root))).toContain("KUS013");
  });

  it("a symlink out of the repository is refused", () => {
    const outside = tree("outside", { "secret.yaml": CM });
    const root = tree("escape-link", { "kustomization.yaml": "resources: [link.yaml]\n" });
    fs.symlinkSync(path.join(outside, "secret.yaml"), path.join(root, "link.yaml"));
    expect(codes(build(root))).toContain("KUS014");
  });

  it("`..` past the root is refused for resources, patches and generator files", () => {
    const root = tree("dotdot", {
      "kustomization.yaml": [
        "resources: [../../../../../../../../etc/passwd]",
        "patches: [{path: ../../../../../../../../etc/passwd}]",
        "configMapGenerator: [{name: x, files: [../../../../../../../../etc/passwd]}]",
        "",
      ].join("\n"),
    });
    const got = codes(build(root));
    expect(got.filter((c) => c === "KUS014").length).toBeGreaterThanOrEqual(2);
    expect(got.length).toBeGreaterThanOrEqual(3);
  });

  it("an alias bomb is stopped", () => {
    const lines = [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: bomb}",
      'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ];
    for (let i = 1; i < 12; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(",")}]`,
      );
    const root = tree("bomb", {
      "kustomization.yaml": "resources: [bomb.yaml]\n",
      "bomb.yaml": `${lines.join("\n")}\n`,
    });
    const t0 = Date.now();
    const r = build(root);
    expect(codes(r)).toContain("YAML005");
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it("deep nesting is stopped without a stack overflow", () => {
    const deep = `${CM}data: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
    const root = tree("deep", { "kustomization.yaml": "resources: [deep.yaml]\n", "deep.yaml": deep });
    expect(codes(build(root))).toContain("YAML006");
  });

  it("a deep chain of bases builds", () => {
    const files: Record<string, string> = {};
    let dir = "";
    for (let i = 0; i < 60; i++) {
      files[`${dir}kustomization.yaml`] = i === 59 ? "resources: [cm.yaml]\n" : "resources: [next]\n";
      dir += "next/";
    }
    files[`${"next/".repeat(59)}cm.yaml`] = CM;
    const root = tree("chain", files);
    const r = build(root);
    expect(codes(r)).toEqual([]);
    expect(r.resources).toHaveLength(1);
  });

  it("a huge file is refused by size", () => {
    const root = tree("huge", { "kustomization.yaml": "resources: [huge.yaml]\n" });
    const fd = fs.openSync(path.join(root, "huge.yaml"), "w");
    fs.writeSync(fd, `${CM}data:\n  k: "`);
    const chunk = "x".repeat(1024 * 1024);
    for (let i = 0; i < 65; i++) fs.writeSync(fd, chunk);
    fs.writeSync(fd, '"\n');
    fs.closeSync(fd);
    expect(codes(build(root))).toContain("YAML007");
  });

  it("a value the output cannot carry is a diagnostic, not a crash", () => {
    const root = tree("unprintable", {
      "kustomization.yaml": "resources: [cm.yaml]\n",
      "cm.yaml": `${CM}data:\n  k: "a\\x7fb"\n`,
    });
    const r = build(root);
    const out = renderResources(r.resources, "yaml");
    expect(out.output).toBe("");
    expect(out.diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([["KUS050", "cm.yaml", 1]]);
  });
});
