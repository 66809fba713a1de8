import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EscapeError, RepoFs } from "./repo-fs.ts";

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "homeops-repofs-")));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
fs.mkdirSync(path.join(tmp, "repo", "a"), { recursive: true });
fs.writeFileSync(path.join(tmp, "repo", "a", "b.yaml"), "x: 1\n");
fs.writeFileSync(path.join(tmp, "outside.yaml"), "secret: 1\n");
fs.symlinkSync(path.join(tmp, "outside.yaml"), path.join(tmp, "repo", "link.yaml"));

describe("RepoFs", () => {
  const repo = new RepoFs(path.join(tmp, "repo"));
  const root = repo.root;

  it("rel gives what path.relative gives, for normalized and odd paths alike", () => {
    const cases = [
      "",
      "/",
      "/a",
      "/a/b.yaml",
      "/a/../b",
      "/./a",
      "//a",
      "x/a",
      "/a/",
      "/.a/b",
      "/..a",
      "/a/..",
      "/a/.",
      "/a b/c",
    ];
    for (const c of [...cases.map((x) => root + x), path.dirname(root), "/elsewhere/x"]) {
      expect(repo.rel(c), c).toBe(path.relative(root, c) || ".");
    }
  });

  it("refuses paths and symlinks that leave the root", () => {
    expect(() => repo.resolve("../outside.yaml")).toThrow(EscapeError);
    expect(() => repo.readText(path.join(root, "link.yaml"))).toThrow(EscapeError);
    expect(repo.readText(repo.resolve("a/b.yaml"))).toBe("x: 1\n");
    expect(repo.list(root)).toEqual(["a", "link.yaml"]);
    expect(repo.kind(path.join(root, "a"))).toBe("dir");
    expect(repo.kind(path.join(root, "nope"))).toBe("missing");
  });
});
