import { describe, expect, it } from "vitest";
import { formatGithub, formatSarif } from "./output.ts";

describe("formatGithub", () => {
  it("escapes data and properties as the actions toolkit does", () => {
    const out = formatGithub([
      {
        code: "CHK601",
        severity: "warning",
        message: "100% unused,\nreally",
        file: "apps/a:b,c.yaml",
        line: 1,
        column: 1,
        hint: "delete it",
      },
      { code: "CHK403", severity: "info", message: "no schema" },
    ]);
    expect(out).toBe(
      "::warning file=apps/a%3Ab%2Cc.yaml,line=1,col=1,title=CHK601::100%25 unused,%0Areally%0Ahint: delete it\n" +
        "::notice title=CHK403::no schema\n",
    );
  });
});

describe("formatSarif", () => {
  it("lists every rule, and other codes that occur, with results pointing at them", () => {
    const log = JSON.parse(
      formatSarif(
        [
          { code: "KUS010", severity: "error", message: "missing", file: "a b/k.yaml", line: 3, column: 5 },
          { code: "CHK403", severity: "info", message: "no schema", file: "x.yaml", line: 2 },
        ],
        "1.2.3",
      ),
    ) as {
      runs: {
        tool: { driver: { version: string; rules: { id: string }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: object } }[];
        }[];
      }[];
    };
    const run = log.runs[0]!;
    expect(run.tool.driver.version).toBe("1.2.3");
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(ids).toContain("CHK101");
    expect(ids[ids.length - 1]).toBe("KUS010");
    const [kus, chk] = run.results;
    expect(ids[kus!.ruleIndex]).toBe("KUS010");
    expect(kus!.locations[0]!.physicalLocation.artifactLocation.uri).toBe("a%20b/k.yaml");
    expect(kus!.locations[0]!.physicalLocation.region).toEqual({ startLine: 3, startColumn: 5 });
    expect(chk!.level).toBe("note");
    expect(chk!.locations[0]!.physicalLocation.region).toEqual({ startLine: 2 });
  });
});
