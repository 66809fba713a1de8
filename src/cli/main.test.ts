import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { capture } from "./capture-test-support.ts";
import { main } from "./main.ts";

const example = path.resolve(import.meta.dirname, "..", "..", "examples", "home-ops");

afterEach(() => vi.restoreAllMocks());

describe("homeops CLI", () => {
  it("kustomize build prints the stream and exits 0", async () => {
    const io = capture();
    const code = await main([
      "kustomize",
      "build",
      path.join(example, "kubernetes/apps/default/echo/app"),
      "--root",
      example,
    ]);
    expect(code).toBe(0);
    expect(io.out()).toContain("name: echo-values-m7bkgm8kk5");
    expect(io.out()).toContain("---\napiVersion: helm.toolkit.fluxcd.io/v2\n");
  });

  it("-o json prints a JSON array", async () => {
    const io = capture();
    const code = await main([
      "kustomize",
      "build",
      path.join(example, "kubernetes/apps/default"),
      "--root",
      example,
      "-o",
      "json",
    ]);
    expect(code).toBe(0);
    const objects = JSON.parse(io.out()) as { kind: string }[];
    expect(objects.map((o) => o.kind)).toEqual(["Namespace", "ConfigMap", "Kustomization"]);
  });

  it("reports errors with a position and exits 1", async () => {
    const io = capture();
    const code = await main(["kustomize", "build", path.join(example, "kubernetes"), "--root", example]);
    expect(code).toBe(1);
    expect(io.out()).toBe("");
    expect(io.err()).toMatch(/error KUS001/);
  });

  it("rejects bad flags with exit 2", async () => {
    const io = capture();
    expect(await main(["kustomize", "build", example, "--load-restrictor", "sometimes"])).toBe(2);
    expect(io.err()).toContain("--load-restrictor must be rootOnly or none");
    expect(await main(["no-such-command"])).toBe(2);
  });
});
