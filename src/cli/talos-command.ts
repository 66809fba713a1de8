import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { createTwoFilesPatch } from "diff";
import { type Diagnostic, diagnostic, sortDiagnostics } from "../core/diagnostics.ts";
import { formatDiagnostics } from "../core/print-diagnostics.ts";
import type { GenConfigOptions, PlannedFile } from "../talos/commands.ts";
import type { ConfigPatch } from "../talos/patch.ts";

/** The Talos library, loaded when a talos command runs: its certificate code is slow to load for other commands. */
async function talosLib() {
  const [commands, patch, secretsFile, talconfig] = await Promise.all([
    import("../talos/commands.ts"),
    import("../talos/patch.ts"),
    import("../talos/secrets-file.ts"),
    import("../talos/talconfig.ts"),
  ]);
  return { ...commands, ...patch, ...secretsFile, ...talconfig };
}

const collect = (v: string, prev: string[]) => [...prev, v];

function report(diagnostics: readonly Diagnostic[]): boolean {
  const sorted = sortDiagnostics(diagnostics);
  if (sorted.length > 0) {
    process.stderr.write(
      formatDiagnostics(sorted, {
        readSource: (f) => {
          try {
            return fs.readFileSync(f, "utf8");
          } catch {
            return undefined;
          }
        },
        color: process.stderr.isTTY === true,
      }),
    );
  }
  return sorted.some((d) => d.severity === "error");
}

async function write(files: readonly PlannedFile[], dryRun: boolean): Promise<void> {
  if (dryRun) {
    // Like talhelper's --dry-run: a unified diff against what is on disk (talosconfig always gets a new client cert).
    for (const f of files) {
      const shown = path.relative(process.cwd(), f.file) || f.file;
      const before = fs.existsSync(f.file) ? fs.readFileSync(f.file, "utf8") : "";
      if (before === f.content) process.stdout.write(`unchanged ${shown}\n`);
      else if (path.basename(f.file) === "talosconfig")
        process.stdout.write(`would write ${shown} (new admin certificate)\n`);
      else process.stdout.write(createTwoFilesPatch(shown, shown, before, f.content, "", "", { context: 3 }));
    }
    return;
  }
  (await talosLib()).writePlannedFiles(files);
  for (const f of files) process.stdout.write(`wrote ${path.relative(process.cwd(), f.file) || f.file}\n`);
}

/** `@file` or inline YAML/JSON, as talosctl's --config-patch. */
async function readPatches(values: readonly string[], diagnostics: Diagnostic[]): Promise<ConfigPatch[]> {
  const { loadPatch } = await talosLib();
  const out: ConfigPatch[] = [];
  for (const v of values) {
    const file = v.startsWith("@") ? v.slice(1) : undefined;
    let text = v;
    if (file !== undefined) {
      try {
        text = fs.readFileSync(file, "utf8");
      } catch (e) {
        diagnostics.push(
          diagnostic("TAL021", "error", `cannot read patch ${file}: ${(e as Error).message}`, { file }),
        );
        continue;
      }
    }
    try {
      out.push(loadPatch(text));
    } catch (e) {
      diagnostics.push(
        diagnostic(
          "TAL021",
          "error",
          `invalid patch ${file ?? JSON.stringify(v)}: ${(e as Error).message}`,
          file ? { file } : undefined,
        ),
      );
    }
  }
  return out;
}

interface GensecretFlags {
  output: string;
  force?: boolean;
  talosVersion?: string;
  dryRun?: boolean;
}

interface GenConfigFlags {
  withSecrets: string;
  talosVersion?: string;
  kubernetesVersion: string;
  additionalSans: string[];
  installDisk?: string;
  installImage?: string;
  dnsDomain?: string;
  registryMirror: string[];
  configPatch: string[];
  configPatchControlPlane: string[];
  configPatchWorker: string[];
  withClusterDiscovery: boolean;
  withKubespan?: boolean;
  output: string;
  ageKeyFile?: string;
  dryRun?: boolean;
}

interface GenconfigFlags {
  config: string;
  env: string[];
  secrets: string[];
  output: string;
  ageKeyFile?: string;
  dryRun?: boolean;
  noGitignore?: boolean;
  gitignore: boolean;
  disableNodesSection?: boolean;
}

export function registerTalos(program: Command, setCode: (c: number) => void): void {
  const talos = program
    .command("talos")
    .description("Talos machine configs and secrets, generated as Talos does");

  talos
    .command("gensecret")
    .description("generate a Talos secrets bundle (SOPS-encrypted when .sops.yaml has a rule for it)")
    .option("-o, --output <file>", "where to write the bundle", "talsecret.sops.yaml")
    .option("--force", "replace an existing bundle (a running cluster would be locked out)")
    .option("--talos-version <v>", "version contract of the bundle (key types and encodings)")
    .option("-n, --dry-run", "say what would be written")
    .action(async (flags: GensecretFlags) => {
      const { planGensecret } = await talosLib();
      const r = await planGensecret(flags.output, {
        ...(flags.force ? { force: true } : {}),
        ...(flags.talosVersion ? { talosVersion: flags.talosVersion } : {}),
      });
      if (report(r.diagnostics) || !r.plan) return setCode(1);
      await write([{ file: r.plan.file, content: r.plan.content, mode: 0o600 }], flags.dryRun === true);
      setCode(0);
    });

  talos
    .command("gen-config")
    .description(
      "generate controlplane.yaml, worker.yaml and talosconfig, as `talosctl gen config` (no docs/examples)",
    )
    .argument("<cluster-name>", "cluster name")
    .argument("<endpoint>", "control-plane endpoint URL, e.g. https://10.0.0.10:6443")
    .requiredOption("--with-secrets <file>", "secrets bundle (plaintext or SOPS-encrypted)")
    .option("--talos-version <v>", "Talos version whose config format to generate (default v1.15)")
    .requiredOption("--kubernetes-version <v>", "Kubernetes version, e.g. 1.33.1")
    .option(
      "--additional-sans <list>",
      "extra certificate SANs, comma-separated",
      (v: string) => v.split(",").filter(Boolean),
      [],
    )
    .option("--install-disk <disk>", "install disk, e.g. /dev/sda (none unless given)")
    .option("--install-image <image>", "installer image (none unless given)")
    .option("--dns-domain <domain>", "Kubernetes DNS domain", "cluster.local")
    .option("--registry-mirror <host=url>", "registry mirror (repeatable)", collect, [])
    .option(
      "--config-patch <patch>",
      "patch for both machine types, @file or inline (repeatable)",
      collect,
      [],
    )
    .option("--config-patch-control-plane <patch>", "patch for the control plane (repeatable)", collect, [])
    .option("--config-patch-worker <patch>", "patch for workers (repeatable)", collect, [])
    .option("--no-with-cluster-discovery", "disable cluster discovery")
    .option("--with-kubespan", "enable KubeSpan")
    .option("-o, --output <dir>", "output directory", ".")
    .option(
      "--age-key-file <file>",
      "age identities for an encrypted bundle (also SOPS_AGE_KEY_FILE, SOPS_AGE_KEY)",
    )
    .option("-n, --dry-run", "say what would be written")
    .action(async (clusterName: string, endpoint: string, flags: GenConfigFlags) => {
      const diagnostics: Diagnostic[] = [];
      const { validateClusterEndpoint, contractFor, readSecretsBundle, planGenConfig } = await talosLib();
      const bad = validateClusterEndpoint(endpoint);
      if (bad) {
        process.stderr.write(`homeops: ${bad}\n`);
        return setCode(2);
      }
      const c = contractFor(flags.talosVersion);
      if (!c.contract) {
        process.stderr.write(`homeops: ${c.error}\n`);
        return setCode(2);
      }
      const secrets = await readSecretsBundle(
        flags.withSecrets,
        flags.ageKeyFile ? { ageKeyFile: flags.ageKeyFile } : {},
      );
      diagnostics.push(...secrets.diagnostics);
      const mirrors: Record<string, string[]> = {};
      for (const m of flags.registryMirror) {
        const [host, url] = m.split("=", 2);
        if (!host || !url) {
          process.stderr.write(`homeops: --registry-mirror wants host=url, not ${m}\n`);
          return setCode(2);
        }
        mirrors[host] = [...(mirrors[host] ?? []), url];
      }
      const patches = await readPatches(flags.configPatch, diagnostics);
      const controlPlanePatches = await readPatches(flags.configPatchControlPlane, diagnostics);
      const workerPatches = await readPatches(flags.configPatchWorker, diagnostics);
      if (!secrets.bundle || report(diagnostics)) return setCode(1);
      const o: GenConfigOptions = {
        clusterName,
        endpoint,
        kubernetesVersion: flags.kubernetesVersion,
        contract: c.contract,
        secrets: secrets.bundle,
        additionalSANs: flags.additionalSans,
        ...(flags.installDisk ? { installDisk: flags.installDisk } : {}),
        ...(flags.installImage ? { installImage: flags.installImage } : {}),
        ...(flags.dnsDomain ? { dnsDomain: flags.dnsDomain } : {}),
        ...(Object.keys(mirrors).length > 0 ? { registryMirrors: mirrors } : {}),
        discovery: flags.withClusterDiscovery,
        ...(flags.withKubespan ? { kubeSpan: true } : {}),
        patches,
        controlPlanePatches,
        workerPatches,
      };
      const r = await planGenConfig(o, path.resolve(flags.output));
      if (report(r.diagnostics)) return setCode(1);
      await write(r.files, flags.dryRun === true);
      setCode(0);
    });

  talos
    .command("genconfig")
    .description("generate one machine config per node of talhelper's talconfig.yaml, plus talosconfig")
    .option("-c, --config <file>", "talconfig file", "talconfig.yaml")
    .option(
      "-e, --env <file>",
      "env file(s) for $VAR substitution (repeatable; default talenv[.sops].y[a]ml)",
      collect,
      [],
    )
    .option(
      "-s, --secrets <file>",
      "secrets bundle (default: the last existing talsecret[.sops].y[a]ml)",
      collect,
      [],
    )
    .option("-o, --output <dir>", "output directory", "clusterconfig")
    .option(
      "--age-key-file <file>",
      "age identities for encrypted files (also SOPS_AGE_KEY_FILE, SOPS_AGE_KEY)",
    )
    .option("--no-gitignore", "do not add the generated files to <output>/.gitignore")
    .option("--disable-nodes-section", "leave `nodes` out of talosconfig")
    .option("-n, --dry-run", "print a unified diff against the files on disk instead of writing")
    .action(async (flags: GenconfigFlags) => {
      const { planTalconfig } = await talosLib();
      const r = await planTalconfig({
        configFile: path.resolve(flags.config),
        envFiles: flags.env.map((f) => path.resolve(f)),
        secretsFiles: flags.secrets.map((f) => path.resolve(f)),
        outDir: path.resolve(flags.output),
        gitignore: flags.gitignore,
        nodesSection: flags.disableNodesSection !== true,
        ...(flags.ageKeyFile ? { ageKeyFile: flags.ageKeyFile } : {}),
      });
      if (report(r.diagnostics)) return setCode(1);
      await write(r.files, flags.dryRun === true);
      setCode(0);
    });
}
