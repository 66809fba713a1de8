import { describe, expect, it } from "vitest";
import { loadYaml } from "./load.ts";

const one = (text: string) => {
  const r = loadYaml(text, "t.yaml");
  expect(r.diagnostics).toEqual([]);
  return r.docs[0]?.value;
};

describe("loadYaml", () => {
  it("resolves scalars as yaml.v3", () => {
    expect(
      one("a: 2001-12-14\nb: 0777\nc: 0x1F\nd: 1.0\ne: on\nf: yes\ng: True\nh: 12345678901234567890\n"),
    ).toEqual({
      a: "2001-12-14T00:00:00Z",
      b: 511,
      c: 31,
      d: 1,
      e: "on",
      f: "yes",
      g: true,
      h: 12345678901234567890n,
    });
  });
});
