import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { RepoFs } from "../core/repo-fs.ts";
import { tempTree } from "../core/test-support.ts";
import {
  goFilepathMatch,
  loadIgnorePatterns,
  MatchResult,
  makeSourceFilter,
  matchPattern,
  parsePattern,
  readPatterns,
} from "./source-ignore.ts";

const R = { NoMatch: MatchResult.NoMatch, Exclude: MatchResult.Exclude, Include: MatchResult.Include };

// go-git v5.16.4 / fluxcd/pkg sourceignore/gitignore pattern cases: [pattern, domain, path, isDir, expected].
const PATTERN_CASES: [string, string[], string[], boolean, keyof typeof R][] = [
  ["!vul?ano", [], ["value", "vulkano", "tail"], false, "Include"], // SimpleMatch_inclusion
  ["value", ["head", "middle", "tail"], ["head", "middle"], false, "NoMatch"], // Match_domainLonger_mismatch
  ["value", ["head", "middle", "tail"], ["head", "middle", "tail"], false, "NoMatch"], // Match_domainSameLength_mismatch
  ["value", ["head", "middle", "tail"], ["head", "middle", "_tail_", "value"], false, "NoMatch"], // Match_domainMismatch_mismatch
  ["middle/", ["value", "volcano"], ["value", "volcano", "middle", "tail"], false, "Exclude"], // SimpleMatch_withDomain
  ["volcano/", ["value", "volcano"], ["value", "volcano", "tail"], true, "NoMatch"], // SimpleMatch_onlyMatchInDomain_mismatch
  ["value", [], ["value", "tail"], false, "Exclude"], // SimpleMatch_atStart
  ["value", [], ["head", "value", "tail"], false, "Exclude"], // SimpleMatch_inTheMiddle
  ["value", [], ["head", "value"], false, "Exclude"], // SimpleMatch_atEnd
  ["value/", [], ["value", "tail"], false, "Exclude"], // SimpleMatch_atStart_dirWanted
  ["value/", [], ["head", "value", "tail"], false, "Exclude"], // SimpleMatch_inTheMiddle_dirWanted
  ["value/", [], ["head", "value"], true, "Exclude"], // SimpleMatch_atEnd_dirWanted
  ["value/", [], ["head", "value"], false, "NoMatch"], // SimpleMatch_atEnd_dirWanted_notADir_mismatch
  ["value", [], ["head", "val", "tail"], false, "NoMatch"], // SimpleMatch_mismatch
  ["val", [], ["head", "value", "tail"], false, "NoMatch"], // SimpleMatch_valueLonger_mismatch
  ["v*o", [], ["value", "vulkano", "tail"], false, "Exclude"], // SimpleMatch_withAsterisk
  ["vul?ano", [], ["value", "vulkano", "tail"], false, "Exclude"], // SimpleMatch_withQuestionMark
  ["v[ou]l[kc]ano", [], ["value", "volcano"], false, "Exclude"], // SimpleMatch_magicChars
  ["v[ou]l[", [], ["value", "vol["], false, "NoMatch"], // SimpleMatch_wrongPattern_mismatch
  ["/value/vul?ano", [], ["value", "vulkano", "tail"], false, "Exclude"], // GlobMatch_fromRootWithSlash
  ["middle/tail/", ["value", "volcano"], ["value", "volcano", "middle", "tail"], true, "Exclude"], // GlobMatch_withDomain
  ["volcano/tail", ["value", "volcano"], ["value", "volcano", "tail"], false, "NoMatch"], // GlobMatch_onlyMatchInDomain_mismatch
  ["value/vul?ano", [], ["value", "vulkano", "tail"], false, "Exclude"], // GlobMatch_fromRootWithoutSlash
  ["value/vulkano", [], ["value", "volcano"], false, "NoMatch"], // GlobMatch_fromRoot_mismatch
  ["value/vul?ano", [], ["value"], false, "NoMatch"], // GlobMatch_fromRoot_tooShort_mismatch
  ["/value/volcano", [], ["value", "value", "volcano"], false, "NoMatch"], // GlobMatch_fromRoot_notAtRoot_mismatch
  ["**/*lue/vol?ano", [], ["value", "volcano", "tail"], false, "Exclude"], // GlobMatch_leadingAsterisks_atStart
  ["**/*lue/vol?ano", [], ["head", "value", "volcano", "tail"], false, "Exclude"], // GlobMatch_leadingAsterisks_notAtStart
  ["**/*lue/vol?ano", [], ["head", "value", "Volcano", "tail"], false, "NoMatch"], // GlobMatch_leadingAsterisks_mismatch
  ["**/*lue/vol?ano/", [], ["head", "value", "volcano", "tail"], false, "Exclude"], // GlobMatch_leadingAsterisks_isDir
  ["**/*lue/vol?ano/", [], ["head", "value", "volcano"], true, "Exclude"], // GlobMatch_leadingAsterisks_isDirAtEnd
  ["**/*lue/vol?ano/", [], ["head", "value", "Colcano"], true, "NoMatch"], // GlobMatch_leadingAsterisks_isDir_mismatch
  ["**/*lue/vol?ano/", [], ["head", "value", "volcano"], false, "NoMatch"], // GlobMatch_leadingAsterisks_isDirNoDirAtEnd_mismatch
  ["/*lue/vol?ano/**", [], ["value", "volcano", "tail", "moretail"], false, "Exclude"], // GlobMatch_tailingAsterisks
  ["/*lue/vol?ano/**", [], ["value", "volcano"], false, "Exclude"], // GlobMatch_tailingAsterisks_exactMatch
  ["/*lue/**/vol?ano", [], ["value", "volcano"], false, "Exclude"], // GlobMatch_middleAsterisks_emptyMatch
  ["/*lue/**/vol?ano", [], ["value", "middle", "volcano"], false, "Exclude"], // GlobMatch_middleAsterisks_oneMatch
  ["/*lue/**/vol?ano", [], ["value", "middle1", "middle2", "volcano"], false, "Exclude"], // GlobMatch_middleAsterisks_multiMatch
  ["/*lue/**/vol?ano/", [], ["value", "middle1", "middle2", "volcano"], true, "Exclude"], // GlobMatch_middleAsterisks_isDir_trailing
  ["/*lue/**/vol?ano/", [], ["value", "middle1", "middle2", "volcano"], false, "NoMatch"], // GlobMatch_middleAsterisks_isDir_trailing_mismatch
  ["/*lue/**/vol?ano/", [], ["value", "middle1", "middle2", "volcano", "tail"], false, "Exclude"], // GlobMatch_middleAsterisks_isDir
  ["/*lue/**foo/vol?ano", [], ["value", "foo", "volcano", "tail"], false, "NoMatch"], // GlobMatch_wrongDoubleAsterisk_mismatch
  ["**/head/v[ou]l[kc]ano", [], ["value", "head", "volcano"], false, "Exclude"], // GlobMatch_magicChars
  ["**/head/v[ou]l[", [], ["value", "head", "vol["], false, "NoMatch"], // GlobMatch_wrongPattern_noTraversal_mismatch
  ["/value/**/v[ou]l[", [], ["value", "head", "vol["], false, "NoMatch"], // GlobMatch_wrongPattern_onTraversal_mismatch
  [
    "**/android/**/GeneratedPluginRegistrant.java",
    [],
    ["packages", "flutter_tools", "lib", "src", "android", "gradle.dart"],
    false,
    "NoMatch",
  ], // GlobMatch_issue_923
];

describe("gitignore pattern (go-git dialect)", () => {
  it.each(PATTERN_CASES)("%s in %j on %j (dir %s) → %s", (pattern, domain, p, isDir, want) => {
    expect(matchPattern(parsePattern(pattern, domain), p, isDir)).toBe(R[want]);
  });

  it("quirks that differ from git", () => {
    // foo/** matches foo itself.
    expect(matchPattern(parsePattern("foo/**", []), ["foo"], false)).toBe(MatchResult.Exclude);
    // ** takes the first matching component and never backtracks.
    expect(matchPattern(parsePattern("**/a/b", []), ["a", "x", "a", "b"], false)).toBe(MatchResult.NoMatch);
    // A pattern with a slash in the middle is anchored; a path below a match also matches.
    expect(matchPattern(parsePattern("a/b", []), ["x", "a", "b"], false)).toBe(MatchResult.NoMatch);
    expect(matchPattern(parsePattern("a/b", []), ["a", "b", "c.yaml"], false)).toBe(MatchResult.Exclude);
    // Trailing spaces are trimmed unless escaped.
    expect(parsePattern("foo  ", []).parts).toEqual(["foo"]);
    expect(matchPattern(parsePattern("foo\\ ", []), ["foo "], false)).toBe(MatchResult.Exclude);
  });

  it("Go filepath.Match syntax", () => {
    expect(goFilepathMatch("*.yaml", ".sops.yaml")).toBe(true);
    expect(goFilepathMatch("[^a]bc", "xbc")).toBe(true);
    expect(goFilepathMatch("[^a]bc", "abc")).toBe(false);
    expect(goFilepathMatch("[!a]bc", "!bc")).toBe(true); // `!` is literal in Go
    expect(goFilepathMatch("[a-c]x", "bx")).toBe(true);
    expect(goFilepathMatch("[c-a]x", "bx")).toBe(false); // reversed range: accepted, never matches
    expect(goFilepathMatch("\\*x", "*x")).toBe(true);
    expect(goFilepathMatch("\\*x", "ax")).toBe(false);
    expect(goFilepathMatch("[]a]", "a")).toBe(false); // bad pattern
    expect(goFilepathMatch("ab\\", "ab")).toBe(false); // bad pattern
    expect(goFilepathMatch("**.yaml", "x.yaml")).toBe(true);
    expect(goFilepathMatch("?", "é")).toBe(true);
  });

  it("readPatterns skips comments and blank lines, keeps CRLF-free text", () => {
    const ps = readPatterns("# comment\r\n\r\nignore-dir/*\r\n!ignore-dir/include\n   \n\\#literal", []);
    expect(ps.map((p) => p.source)).toEqual(["ignore-dir/*", "!ignore-dir/include", "\\#literal"]);
    const last = (rel: string) => {
      for (let i = ps.length - 1; i >= 0; i--) {
        const r = matchPattern(ps[i]!, rel.split("/"), false);
        if (r !== MatchResult.NoMatch) return r === MatchResult.Exclude;
      }
      return false;
    };
    expect(last("ignore-dir/file.yaml")).toBe(true);
    expect(last("ignore-dir/include")).toBe(false);
    expect(last("file.yaml")).toBe(false);
    expect(last("#literal")).toBe(true);
  });
});

describe("makeSourceFilter (GitRepository artifact)", () => {
  it("default exclusions when there is no pattern of the user's", () => {
    const root = tempTree({
      "a.yaml": "",
      "img.png": "",
      ".github/workflows/ci.yaml": "",
      "sub/.sops.yaml": "",
    });
    const f = makeSourceFilter(new RepoFs(root), root);
    const ig = (rel: string, dir = false) => f.ignored(path.join(root, rel), dir);
    for (const m of [
      "image.jpg",
      "archive.tar.gz",
      ".github/workflows/workflow.yaml",
      "subdir/.flux.yaml",
      "subdir2/.sops.yaml",
      ".sops.yaml",
      ".git/config",
      ".gitignore",
      "x/.gitattributes",
      ".gitlab-ci.yml",
      "deep/.travis.yml", // unanchored CI names match at any depth
      ".github",
    ]) {
      expect(ig(m, m === ".github"), m).toBe(true);
    }
    for (const m of ["workload.yaml", "workload.yml", "simple.txt", ".sourceignore", "cloudbuild.yml"]) {
      expect(ig(m), m).toBe(false);
    }
    expect(ig("")).toBe(false);
  });

  it("spec.ignore replaces the default list (VCS stays) and wins over .sourceignore", () => {
    const root = tempTree({ ".sourceignore": "" });
    const f = makeSourceFilter(new RepoFs(root), root, "/clusters/**/flux-system/\n!*.png\n");
    const ig = (rel: string, dir = false) => f.ignored(path.join(root, rel), dir);
    expect(ig("img.jpg")).toBe(false);
    expect(ig(".sops.yaml")).toBe(false);
    expect(ig(".github/workflows/ci.yaml")).toBe(false);
    expect(ig(".git/config")).toBe(true);
    expect(ig("clusters/prod/flux-system", true)).toBe(true);
    expect(ig("clusters/prod/flux-system/gotk-sync.yaml")).toBe(true);
  });

  it("an empty spec.ignore keeps the defaults", () => {
    const root = tempTree({});
    const f = makeSourceFilter(new RepoFs(root), root, "\n# nothing\n");
    expect(f.ignored(path.join(root, "x.zip"), false)).toBe(true);
  });

  it("any .sourceignore pattern drops the default list too", () => {
    const root = tempTree({ "deep/dir/.sourceignore": "*.txt\n", "deep/dir/.sops.yaml": "" });
    const f = makeSourceFilter(new RepoFs(root), root);
    expect(f.ignored(path.join(root, "deep/dir/.sops.yaml"), false)).toBe(false);
    expect(f.ignored(path.join(root, "deep/dir/a.txt"), false)).toBe(true);
    // Scoped to its directory.
    expect(f.ignored(path.join(root, "a.txt"), false)).toBe(false);
    expect(f.ignored(path.join(root, ".git/HEAD"), false)).toBe(true);
  });

  it("nested .sourceignore overrides its parent, re-includes inside an excluded directory", () => {
    const root = tempTree({
      ".sourceignore": "docs/\n*.md\n",
      "docs/.sourceignore": "!keep.md\n",
      "docs/keep.md": "",
      "docs/drop.md": "",
      "apps/readme.md": "",
    });
    const f = makeSourceFilter(new RepoFs(root), root);
    expect(f.ignored(path.join(root, "docs"), true)).toBe(true);
    expect(f.ignored(path.join(root, "docs/keep.md"), false)).toBe(false);
    expect(f.ignored(path.join(root, "docs/drop.md"), false)).toBe(true);
    expect(f.ignored(path.join(root, "apps/readme.md"), false)).toBe(true);
    expect(f.explain(path.join(root, "docs/keep.md"), false)?.source).toBe("!keep.md");
  });

  it("loads .sourceignore files depth first in lexical order, skipping .git", () => {
    const root = tempTree({
      ".sourceignore": "root.txt",
      "d/.gitignore": "ignored",
      "z/.sourceignore": "last.txt",
      "a/b/.sourceignore": "subdir.txt",
      ".git/.sourceignore": "never",
      "e/last.txt": "foo",
    });
    const ps = loadIgnorePatterns(new RepoFs(root), root, []);
    expect(ps.map((p) => [p.source, p.domain])).toEqual([
      ["root.txt", []],
      ["subdir.txt", ["a", "b"]],
      ["last.txt", ["z"]],
    ]);
  });

  it("symlinks and what lies below them are not in the artifact", () => {
    const root = tempTree({ "real/a.yaml": "x", "b.yaml": "y" });
    fs.symlinkSync(path.join(root, "real"), path.join(root, "linked"));
    fs.symlinkSync(path.join(root, "b.yaml"), path.join(root, "c.yaml"));
    fs.symlinkSync(path.join(root, "nowhere"), path.join(root, "dangling.yaml"));
    const f = makeSourceFilter(new RepoFs(root), root);
    expect(f.excluded(path.join(root, "real/a.yaml"))).toBe(false);
    expect(f.excluded(path.join(root, "b.yaml"))).toBe(false);
    expect(f.excluded(path.join(root, "linked"))).toBe(true);
    expect(f.excluded(path.join(root, "linked/a.yaml"))).toBe(true);
    expect(f.excluded(path.join(root, "c.yaml"))).toBe(true);
    expect(f.excluded(path.join(root, "dangling.yaml"))).toBe(true);
    expect(f.excluded(root)).toBe(false);
  });
});
