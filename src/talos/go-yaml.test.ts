import { describe, expect, it } from "vitest";
import { encodeGoYaml, goSortKeys, quoteScalar } from "./go-yaml.ts";

describe("go-yaml emitter", () => {
  it("quotes like yaml.v3: double quotes for strings that read back as other types, single for indicators", () => {
    expect(quoteScalar("", false)).toBe('""');
    expect(quoteScalar("off", false)).toBe('"off"');
    expect(quoteScalar("1024", false)).toBe('"1024"');
    expect(quoteScalar("1.5", false)).toBe('"1.5"');
    expect(quoteScalar("null", false)).toBe('"null"');
    expect(quoteScalar("*", false)).toBe("'*'");
    expect(quoteScalar("- x", false)).toBe("'- x'");
    expect(quoteScalar("a: b", false)).toBe("'a: b'");
    expect(quoteScalar("it's", false)).toBe("it's");
    expect(quoteScalar(" lead", false)).toBe("' lead'");
    expect(quoteScalar('disk.dev_path == "/dev/sda"', false)).toBe('disk.dev_path == "/dev/sda"');
    expect(quoteScalar("storage:NoSchedule", false)).toBe("storage:NoSchedule");
    // yaml.v3's analysis: a trailing space still allows single quotes; a tab rules out plain and single quotes;
    // `---` at the start is an indicator, not the end of the analysis.
    expect(quoteScalar("trail ", false)).toBe("'trail '");
    expect(quoteScalar("a\tb", false)).toBe('"a\\tb"');
    expect(quoteScalar("--- x", false)).toBe("'--- x'");
  });

  it("sorts map keys naturally, as Go's encoder", () => {
    expect(goSortKeys(["b", "a10", "a2", "audit-version", "audit", "node.x", "node-y"])).toEqual([
      "a2",
      "a10",
      "audit",
      "audit-version",
      "b",
      "node-y",
      "node.x",
    ]);
  });

  it("indents nested blocks like yaml.v3 with a 4-space indent", () => {
    const out = encodeGoYaml({
      a: { list: ["x", { k: "v", inner: ["z"] }], empty: {}, none: [] },
      lit: "line1\nline2\n",
      items: ["one\ntwo"],
      nested: [["p", "q"]],
    });
    expect(out).toBe(
      [
        "a:",
        "    list:",
        "        - x",
        "        - k: v",
        "          inner:",
        "            - z",
        "    empty: {}",
        "    none: []",
        "lit: |",
        "    line1",
        "    line2",
        "items:",
        "    - |-",
        "      one",
        "      two",
        "nested:",
        "    - - p",
        "      - q",
        "",
      ].join("\n"),
    );
  });
});
