/**
 * Test support: runs `kubectl kustomize` (the oracle) on a one-resource kustomization with one patch, and
 * reads/writes the committed case files so `npm test` needs no kubectl.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";

export interface PatchCase {
  name: string;
  /** The resource YAML (one document). */
  resource: string;
  /** The patch text exactly as it would sit in a patch file. */
  patch: string;
  /** `patches[].target` when set. */
  target?: Record<string, string>;
  options?: Record<string, boolean>;
  /** kubectl's output, or its error after `error: `. */
  expected?: string;
}

export function kubectlAvailable(): string | undefined {
  const r = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return "kubectl not found";
  if (!/Kustomize Version: v5\.5\.0/.test(r.stdout)) return `kubectl embeds another kustomize:\n${r.stdout}`;
  return undefined;
}

export function runOracle(c: PatchCase): string {
  const dir = mkdtempSync(join(tmpdir(), "homeops-patch-"));
  try {
    writeFileSync(join(dir, "resource.yaml"), c.resource);
    writeFileSync(join(dir, "patch.yaml"), c.patch);
    const entry: Record<string, unknown> = { path: "patch.yaml" };
    if (c.target) entry.target = c.target;
    if (c.options) entry.options = c.options;
    writeFileSync(join(dir, "kustomization.yaml"), stringify({ resources: ["resource.yaml"], patches: [entry] }));
    try {
      return execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      const stderr = String((e as { stderr?: unknown }).stderr ?? e);
      return `error: ${errorMessage(stderr).replaceAll(dir, "<dir>")}\n`;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The error text without kubectl's klog framing (timestamp, pid, quoting). */
function errorMessage(stderr: string): string {
  const m = /^E\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err=(.*)$/s.exec(stderr.trim());
  if (!m) return stderr.trim();
  const rest = m[1] ?? "";
  if (rest.startsWith('"')) return JSON.parse(rest) as string;
  return rest
    .replace(/^<\n/, "")
    .replace(/\n\s*>$/, "")
    .split("\n")
    .map((l) => l.replace(/^\t/, ""))
    .join("\n");
}

export function readCases(file: string): PatchCase[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as PatchCase);
}

export function writeCases(file: string, cases: readonly PatchCase[]): void {
  const text = cases.map((c) => stringify(c, { lineWidth: 0, blockQuote: "literal" })).join("---\n");
  writeFileSync(file, text);
}
