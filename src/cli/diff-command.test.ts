import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { execArgv, which } from "../core/exec.ts";
import { capture } from "./capture-test-support.ts";
import { main } from "./main.ts";

const fixture = path.resolve(import.meta.dirname, "..", "diff", "testdata", "repo");
const git = which("git");
if (!git) console.warn("skipping homeops diff CLI tests: git is not installed");

afterEach(() => vi.restoreAllMocks());

describe.skipIf(!git)("homeops diff (CLI)", () => {
  let repo = "";
  beforeAll(() => {
    repo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "homeops-diff-cli-")), "repo");
    fs.cpSync(fixture, repo, { recursive: true });
    for (const args of [
      ["init", "-q", "-b", "main"],
      ["add", "-A"],
      ["commit", "-q", "-m", "base"],
    ]) {
      const r = execArgv(git!, ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], {
        cwd: repo,
      });
      if (r.status !== 0) throw new Error(r.stderr);
    }
  });
  afterAll(() => fs.rmSync(path.dirname(repo), { recursive: true, force: true }));

  it("exits 0 when nothing differs (base main, head the work tree)", async () => {
    const io = capture();
    expect(await main(["diff", "--repo", repo])).toBe(0);
    expect(io.out()).toContain("No changes");
  });

  it("exits 1 with changes, and prints the format asked for", async () => {
    const file = path.join(repo, "apps/podinfo/app/helmrelease.yaml");
    const before = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, before.replace("replicaCount: 1", "replicaCount: 2"));
    try {
      let io = capture();
      expect(await main(["diff", "main", "--repo", repo, "--format", "json"])).toBe(1);
      const doc = JSON.parse(io.out()) as { summary: unknown };
      expect(doc.summary).toEqual({ kustomizations: 1, changed: 1, added: 0, removed: 0 });
      vi.restoreAllMocks();
      io = capture();
      expect(await main(["diff", "--repo", repo, "--format", "markdown", "--header", "<!-- m -->"])).toBe(1);
      expect(io.out().startsWith("<!-- m -->\n### homeops diff `main` → `work tree`")).toBe(true);
    } finally {
      fs.writeFileSync(file, before);
    }
  });

  it("exits 2 on usage and Git errors", async () => {
    let io = capture();
    expect(await main(["diff", "no-such-ref", "--repo", repo])).toBe(2);
    expect(io.err()).toContain("unknown revision 'no-such-ref'");
    vi.restoreAllMocks();
    io = capture();
    expect(await main(["diff", "--repo", repo, "--format", "html"])).toBe(2);
    vi.restoreAllMocks();
    io = capture();
    expect(await main(["diff", "--base-dir", repo])).toBe(2);
    expect(io.err()).toContain("--base-dir and --head-dir go together");
  });
});
