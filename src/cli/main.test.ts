import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { capture } from "./capture-test-support.ts";
import * as cli from "./main.ts";
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

  it("stops quietly when the reader closes the pipe early", async () => {
    // A real process, `homeops kustomize build … | head -c …`, with more output than a pipe holds.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-pipe-"));
    fs.writeFileSync(path.join(dir, "kustomization.yaml"), "resources:\n  - cm.yaml\n");
    fs.writeFileSync(
      path.join(dir, "cm.yaml"),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  big: "${"x".repeat(1 << 20)}"\n`,
    );
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "main.ts"), "kustomize", "build", dir],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toContain("EPIPE");
    expect(stderr).not.toContain("internal error");
    fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
  }, 30_000);

  it("bin/homeops.js runs the CLI through runCli (pipe handling, exit codes), not main alone", () => {
    // The shipped entry imports the built bundle; what it calls must be what `tsx src/cli/main.ts` runs.
    const bin = fs.readFileSync(path.resolve(import.meta.dirname, "..", "..", "bin", "homeops.js"), "utf8");
    expect(bin).toMatch(/import \{ runCli \} from "\.\.\/dist\/cli\/main\.mjs";/);
    expect(bin).toMatch(/await runCli\(process\.argv\.slice\(2\)\);/);
    expect(typeof cli.runCli).toBe("function");
  });
});
