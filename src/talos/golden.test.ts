import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it, vi } from "vitest";
import { registerTalos } from "../cli/talos-command.ts";
import { renderMachineConfig, validateClusterEndpoint } from "./commands.ts";
import { type Contract, parseContract } from "./contract.ts";
import type { GenerateInput } from "./generate.ts";
import { loadPatch } from "./patch.ts";
import { parseSecretsBundle } from "./secrets.ts";

/**
 * Talos's own stability goldens: `base` and `overrides` configs for every version contract must come out byte for
 * byte. The bundled copy (testdata/golden, v1.10–v1.15) always runs; ../shared adds v1.3–v1.9 when present.
 */
const bundled = path.join(import.meta.dirname, "testdata", "golden");
const shared = path.resolve(import.meta.dirname, "../../../shared/talos-golden");
const versions = [
  "v1.3",
  "v1.4",
  "v1.5",
  "v1.6",
  "v1.7",
  "v1.8",
  "v1.9",
  "v1.10",
  "v1.11",
  "v1.12",
  "v1.13",
  "v1.14",
  "v1.15",
];

function cases(
  root: string,
): { version: string; flavor: string; type: "controlplane" | "worker"; file: string }[] {
  return versions.flatMap((version) =>
    ["base", "overrides"].flatMap((flavor) =>
      (["controlplane", "worker"] as const)
        .map((type) => ({ version, flavor, type, file: path.join(root, version, `${flavor}-${type}.yaml`) }))
        .filter((c) => fs.existsSync(c.file)),
    ),
  );
}

function input(
  root: string,
  contract: Contract,
  flavor: string,
): GenerateInput & { patches?: ReturnType<typeof loadPatch>[] } {
  const { bundle } = parseSecretsBundle(fs.readFileSync(path.join(root, "secrets.yaml"), "utf8"));
  if (!bundle) throw new Error("golden secrets do not parse");
  const base = {
    clusterName: "base",
    endpoint: "https://base:6443",
    kubernetesVersion: "1.28.0",
    contract,
    secrets: bundle,
  };
  if (flavor === "base") return base;
  const patch = contract.minor >= 14 ? "patch.yaml" : "patch-pre14.yaml";
  return {
    ...base,
    additionalSANs: ["foo", "bar"],
    allowSchedulingOnControlPlanes: true,
    dnsDomain: "example.com",
    installDisk: "/dev/vda",
    installExtraKernelArgs: ["foo=bar", "bar=baz"],
    localAPIServerPort: 5443,
    sysctls: { foo: "bar" },
    customCNIUrl: "https://example.com/cni.yaml",
    registryMirrors: { "ghcr.io": ["https://ghcr.io.my-mirror.com"] },
    patches: [loadPatch(fs.readFileSync(path.join(root, patch), "utf8"))],
  };
}

const tally = { passed: 0, failed: 0 };
afterAll(() => {
  console.log(`talos goldens: ${tally.passed} passed, ${tally.failed} failed`);
});

function check(root: string) {
  for (const c of cases(root)) {
    it(`${c.version} ${c.flavor} ${c.type}`, () => {
      const contract = parseContract(c.version) as Contract;
      const r = renderMachineConfig(input(root, contract, c.flavor), c.type);
      const ok = r.content === fs.readFileSync(c.file, "utf8");
      if (ok) tally.passed++;
      else tally.failed++;
      expect(r.content).toBe(fs.readFileSync(c.file, "utf8"));
    });
  }
}

describe("talos goldens (bundled copy)", () => {
  it("has every contract from v1.10 to v1.15", () => {
    expect(new Set(cases(bundled).map((c) => c.version))).toEqual(
      new Set(["v1.10", "v1.11", "v1.12", "v1.13", "v1.14", "v1.15"]),
    );
    expect(cases(bundled)).toHaveLength(24);
  });
  check(bundled);
});

describe.skipIf(!fs.existsSync(shared))("talos goldens (../shared/talos-golden, v1.3–v1.15)", () => {
  check(shared);
});

describe("homeops talos gen-config (the CLI path)", () => {
  for (const version of ["v1.10", "v1.11", "v1.12", "v1.13", "v1.14", "v1.15"]) {
    it(`${version}: base configs byte-identical, talosconfig structurally right`, async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-talos-"));
      vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      let code = -1;
      const program = new Command("homeops").exitOverride();
      registerTalos(program, (c) => {
        code = c;
      });
      await program.parseAsync(
        [
          "talos",
          "gen-config",
          "base",
          "https://base:6443",
          "--with-secrets",
          path.join(bundled, "secrets.yaml"),
          "--talos-version",
          version,
          "--kubernetes-version",
          "1.28.0",
          "-o",
          out,
        ],
        { from: "user" },
      );
      vi.restoreAllMocks();
      expect(code).toBe(0);
      for (const type of ["controlplane", "worker"]) {
        expect(fs.readFileSync(path.join(out, `${type}.yaml`), "utf8")).toBe(
          fs.readFileSync(path.join(bundled, version, `base-${type}.yaml`), "utf8"),
        );
      }
      const talosconfig = fs.readFileSync(path.join(out, "talosconfig"), "utf8");
      expect(talosconfig).toMatch(
        /^context: base\ncontexts:\n {4}base:\n {8}endpoints: \[\]\n {8}ca: \S+\n {8}crt: \S+\n {8}key: \S+\n$/,
      );
      fs.rmSync(out, { recursive: true });
    });
  }
});

describe("gen-config endpoint check (as talosctl)", () => {
  it("wants an https URL and suggests the fixed form", () => {
    expect(validateClusterEndpoint("https://base:6443")).toBeUndefined();
    expect(validateClusterEndpoint("10.0.0.1")).toBe(
      'no scheme and port specified for the cluster endpoint URL; try "https://10.0.0.1:6443"',
    );
    expect(validateClusterEndpoint("10.0.0.1:6443")).toBe(
      'no scheme specified for the cluster endpoint URL; try "https://10.0.0.1:6443"',
    );
    expect(validateClusterEndpoint("http://k8s:6443")).toBe(
      'the control plane endpoint URL should have scheme https://; try "https://k8s:6443"',
    );
  });
});
