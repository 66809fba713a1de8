import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { nodeFlags } from "./node-flags.ts";

describe("nodeFlags", () => {
  it("reads the flags of bin/homeops.js's #! line, and node accepts them", () => {
    const flags = nodeFlags();
    expect(flags.length).toBeGreaterThan(0);
    for (const f of flags) expect(f).toMatch(/^--[a-z-]+=[0-9]+$/);
    const r = spawnSync(process.execPath, [...flags, "-e", "0"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
