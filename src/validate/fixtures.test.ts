import * as fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { checkRepository } from "./check.ts";
import { loadFixtures, materialize } from "./fixtures-support.ts";

/**
 * One invalid fixture per code (testdata/fixtures/CODE.txt) reports exactly that finding, at that position, and
 * nothing else; valid.txt reports nothing at all.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("homeops check fixtures", () => {
  for (const fx of loadFixtures()) {
    it(fx.name, () => {
      const dir = materialize(fx);
      dirs.push(dir);
      const got = checkRepository(dir).diagnostics.map(
        (d) => `${d.code} ${d.file ?? ""}:${d.line ?? 0}:${d.column ?? 0}`,
      );
      expect(got).toEqual(fx.expect);
      // A rule's fixture shows that rule alone; a render code's fixture shows it with the build failure it causes.
      // (CHK201-generated.txt is a second fixture of CHK201.)
      const code = fx.name.replace(/-.*$/, "");
      if (code.startsWith("CHK")) expect(fx.expect.every((e) => e.startsWith(`${code} `))).toBe(true);
      else if (code !== "valid") expect(fx.expect.some((e) => e.startsWith(`${code} `))).toBe(true);
    });
  }
});
