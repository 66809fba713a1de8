import { describe, expect, it } from "vitest";
import { goRegex } from "./rules.ts";

describe("goRegex (RE2 patterns of .sops.yaml)", () => {
  it.each([
    ["(?i)\\.sops\\.yaml$", "A.SOPS.YAML", true],
    ["((?i)secret)\\.yaml$", "SECRET.yaml", true],
    ["((?i)secret)\\.yaml$", "SECRET.YAML", false],
    ["a(?i)b", "aB", true],
    ["a(?i)b", "AB", false],
    ["(x(?i)y)z", "xYz", true],
    ["(x(?i)y)z", "xYZ", false],
    ["[(?i)]", "?", true],
    ["\\((?i)a", "(A", true],
    ["(?P<name>talos)/.*", "talos/x", true],
  ])("%s on %s → %s", (pattern, text, match) => {
    const re = goRegex(pattern);
    expect(typeof re).not.toBe("string");
    expect((re as RegExp).test(text)).toBe(match);
  });

  it("refuses what RE2 or JavaScript cannot express", () => {
    expect(goRegex("(?U)a")).toBeTypeOf("string");
    expect(goRegex("a(?=b)")).toBeTypeOf("string");
  });
});
