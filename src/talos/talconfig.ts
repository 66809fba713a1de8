import * as fs from "node:fs";
import * as path from "node:path";
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  parseDocument,
  Scalar,
} from "yaml";
import type { ZodError } from "zod";
import { type Diagnostic, diagnostic } from "../core/diagnostics.ts";
import { openBytes } from "../sops/file.ts";
import { findAgeIdentities } from "../sops/keys.ts";
import { type PlannedFile, patchHint, strictHint } from "./commands.ts";
import { strictProblems } from "./config-order.ts";
import { type Contract, contractString, contractSupported, features, parseContract } from "./contract.ts";
import { type Document, type GenerateInput, generateConfig } from "./generate.ts";
import { encodeGoYamlDocuments, type GoValue } from "./go-yaml.ts";
import { applyPatches, type ConfigPatch, loadPatch, PatchError } from "./patch.ts";
import { installerImage } from "./schematic.ts";
import type { SecretsBundle } from "./secrets.ts";
import { readSecretsBundle } from "./secrets-file.ts";
import { type Talconfig, type TalNode, type TalNodeConfigs, talconfigSchema } from "./talconfig-schema.ts";
import { renderTalosconfig } from "./talosconfig.ts";

/** talhelper's default Talos version when talconfig names none. */
export const defaultTalosVersion = "v1.13.9";

export interface TalconfigRequest {
  configFile: string;
  /** Env files; empty means talhelper's defaults (every existing talenv[.sops].y[a]ml next to talconfig). */
  envFiles?: string[];
  /** Secrets files; empty means the last existing talsecret[.sops].y[a]ml next to talconfig. */
  secretsFiles?: string[];
  outDir: string;
  ageKeyFile?: string;
  gitignore?: boolean;
  nodesSection?: boolean;
  /** Process environment for substitution (talenv values override it). */
  env?: NodeJS.ProcessEnv;
  /** Use this bundle instead of reading one (benchmarks, tests). */
  secrets?: SecretsBundle;
}

interface Loaded {
  config: Talconfig;
  /** Position of the value at `p`, or of its key with `key`. */
  positionOf: (
    p: readonly (string | number)[],
    key?: boolean,
  ) => { line: number; column: number } | undefined;
}

const rel = (file: string) => path.relative(process.cwd(), file) || file;

/** a8m/envsubst as talhelper runs it: $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:+a}, $$ escapes; unset or empty = error. */
export function envsubstStrict(
  text: string,
  env: Record<string, string | undefined>,
): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      m,
      braced: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      bare: string | undefined,
    ) => {
      if (m === "$$") return "$";
      const name = (braced ?? bare) as string;
      const v = env[name];
      if (op === ":-" || op === ":=") return v ? v : (arg ?? "");
      if (op === "-" || op === "=") return v !== undefined ? v : (arg ?? "");
      if (op === ":+") return v ? (arg ?? "") : "";
      if (op === "+") return v !== undefined ? (arg ?? "") : "";
      if (v === undefined || v === "") {
        missing.push(name);
        return m;
      }
      return v;
    },
  );
  return { value, missing };
}

async function readMaybeEncrypted(
  file: string,
  ageKeyFile: string | undefined,
): Promise<{ text?: string; error?: string }> {
  const bytes = fs.readFileSync(file);
  const text = bytes.toString("utf8");
  if (!(/^sops:\s*$/m.test(text) && /\bENC\[AES256_GCM,/.test(text))) return { text };
  const r = await openBytes(bytes, "yaml", { identities: findAgeIdentities(ageKeyFile).identities });
  return r.ok ? { text: r.opened.plaintext.toString("utf8") } : { error: r.error };
}

/** `@file` contents of machine files and inline manifests: read (SOPS-decrypted if encrypted), then substituted. */
async function resolveContent(
  content: string,
  skipEnvsubst: boolean,
  baseDir: string,
  env: Record<string, string | undefined>,
  ageKeyFile: string | undefined,
): Promise<{ value?: string; error?: string }> {
  if (!content.startsWith("@")) return { value: content };
  const file = path.resolve(baseDir, content.slice(1));
  let text: string;
  try {
    const r = await readMaybeEncrypted(file, ageKeyFile);
    if (r.error) return { error: `cannot decrypt ${rel(file)}: ${r.error}` };
    text = r.text ?? "";
  } catch (e) {
    return { error: `cannot read ${rel(file)}: ${(e as Error).message}` };
  }
  if (skipEnvsubst) return { value: text };
  const r = envsubstStrict(text, env);
  if (r.missing.length > 0)
    return { error: `${rel(file)}: variable \${${r.missing[0]}} is not set (or empty)` };
  return { value: r.value };
}

/** talhelper's filenameTmpl with the fields it offers; other template constructs are refused. */
export function outputFileName(
  tmpl: string,
  data: { ClusterName: string; Hostname: string; IPAddress: string; Role: string },
): string | undefined {
  let ok = true;
  const out = tmpl.replace(/\{\{-?\s*([^}]*?)\s*-?\}\}/g, (_, expr: string) => {
    const m = /^\.(ClusterName|Hostname|IPAddress|Role)$/.exec(expr);
    if (!m) ok = false;
    return m ? data[m[1] as keyof typeof data] : "";
  });
  return ok && !out.includes("/") ? out : undefined;
}

/** extraManifests files: extra config documents appended after all patches (talhelper; deprecated). */
function readExtraManifests(
  entries: readonly string[],
  baseDir: string,
): { docs?: Document[]; error?: string } {
  const docs: Document[] = [];
  for (const entry of entries) {
    const file = path.resolve(baseDir, entry.replace(/^@/, ""));
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      return { error: `cannot read extra manifest ${rel(file)}: ${(e as Error).message}` };
    }
    if (text.includes("{{")) {
      return { error: `${rel(file)} uses Go templates, which homeops does not render; turn it into a patch` };
    }
    for (const d of parseAllDocuments(text)) {
      if (d.errors.length > 0) return { error: `${rel(file)}: ${d.errors[0]?.message.split("\n")[0]}` };
      const v = d.toJS() as unknown;
      if (v === null || v === undefined) continue;
      if (typeof v !== "object" || Array.isArray(v))
        return { error: `${rel(file)}: a document is not a mapping` };
      docs.push(v as Document);
    }
  }
  return { docs };
}

/** Flat `KEY: value` / `KEY=value` pairs, as godotenv reads talenv files (`---` lines dropped). */
function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line === "---") continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*[:=]\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = (m[2] ?? "").replace(/\s+#.*$/, "");
    if (/^(['"]).*\1$/.test(v)) v = v.slice(1, -1);
    out[m[1] as string] = v;
  }
  return out;
}

function loadTalconfig(
  text: string,
  file: string,
  env: Record<string, string | undefined>,
  d: Diagnostic[],
): Loaded | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const at = (node: Node | undefined) => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { file };
    const p = lc.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  for (const e of doc.errors) {
    const p = lc.linePos(e.pos[0]);
    d.push(
      diagnostic("TAL001", "error", e.message.split("\n")[0] ?? "invalid YAML", {
        file,
        line: p.line,
        column: p.col,
      }),
    );
  }
  if (doc.errors.length > 0) return undefined;
  // Substitute every string scalar (comments are not substituted: talhelper strips them first).
  const visit = (node: unknown) => {
    if (isMap(node)) for (const pair of node.items) visit(pair.value);
    else if (isSeq(node)) for (const item of node.items) visit(item);
    else if (isScalar(node) && typeof node.value === "string" && node.value.includes("$")) {
      const r = envsubstStrict(node.value, env);
      for (const name of r.missing) {
        d.push(
          diagnostic(
            "TAL003",
            "error",
            `variable \${${name}} is not set (or empty)`,
            at(node),
            "define it in talenv.yaml or the environment",
          ),
        );
      }
      const typed = node.type === Scalar.PLAIN ? parseDocument(r.value).toJS() : r.value;
      node.value =
        typeof typed === "string" || typeof typed === "number" || typeof typed === "boolean"
          ? typed
          : r.value;
    }
  };
  visit(doc.contents);
  const data: unknown = doc.toJS();
  const positionOf = (p: readonly (string | number)[], key = false) => {
    let node = doc.getIn(p as (string | number)[], true) as Node | undefined;
    if (key) {
      const parent = p.length > 1 ? doc.getIn(p.slice(0, -1) as (string | number)[], true) : doc.contents;
      const pair = isMap(parent)
        ? parent.items.find((i) => isScalar(i.key) && i.key.value === p.at(-1))
        : undefined;
      if (pair && isScalar(pair.key)) node = pair.key;
    }
    const loc = at(
      node ?? (p.length > 0 ? (doc.getIn(p.slice(0, -1) as (string | number)[], true) as Node) : undefined),
    );
    return loc.line ? { line: loc.line, column: loc.column ?? 1 } : undefined;
  };
  const parsed = talconfigSchema.safeParse(data);
  if (!parsed.success) {
    zodDiagnostics(parsed.error, file, positionOf, d);
    return undefined;
  }
  return { config: parsed.data, positionOf };
}

function zodDiagnostics(
  error: ZodError,
  file: string,
  positionOf: Loaded["positionOf"],
  d: Diagnostic[],
): void {
  for (const issue of error.issues) {
    const p = issue.path.filter((x): x is string | number => typeof x !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        d.push(
          diagnostic(
            "TAL002",
            "error",
            `unknown field ${[...p, key].join(".")}`,
            { file, ...positionOf([...p, key], true) },
            "talconfig.yaml keys are case-sensitive; see schemas/talconfig.schema.json",
          ),
        );
      }
      continue;
    }
    d.push(
      diagnostic("TAL001", "error", `${p.join(".") || "talconfig"}: ${issue.message}`, {
        file,
        ...positionOf(p),
      }),
    );
  }
}

/** talhelper's group merge: patches group ++ node, certSANs node ++ group, other keys node wins when set. */
export function mergeNodeConfigs(node: TalNode, group: TalNodeConfigs | undefined): TalNode {
  if (!group) return node;
  const out: Record<string, unknown> = { ...group, ...node };
  for (const [k, v] of Object.entries(node))
    if (v === undefined || v === false) out[k] = (group as Record<string, unknown>)[k] ?? v;
  const nodePatches = node.patches ?? [];
  out.patches =
    node.overridePatches && nodePatches.length > 0 ? nodePatches : [...(group.patches ?? []), ...nodePatches];
  out.extraManifests = node.overrideExtraManifests
    ? (node.extraManifests ?? [])
    : [...(node.extraManifests ?? []), ...(group.extraManifests ?? [])];
  out.certSANs = node.overrideMachineCertSANs
    ? (node.certSANs ?? [])
    : [...(node.certSANs ?? []), ...(group.certSANs ?? [])];
  return out as TalNode;
}

/** The patch talhelper builds from a node's talconfig keys, per contract (applied before user patches). */
function nodePatch(cfg: Talconfig, node: TalNode, contract: Contract): Document[] {
  const f = features(contract);
  const machine: Document = {};
  const docs: Document[] = [];
  const doc = (kind: string, body: Document): Document => ({ apiVersion: "v1alpha1", kind, ...body });
  if (!f.multidocNetwork) {
    const network: Document = {};
    if (!node.ignoreHostname) network.hostname = node.hostname;
    if (node.nameservers?.length) network.nameservers = node.nameservers;
    if (node.disableSearchDomain) network.disableSearchDomain = true;
    if (node.networkInterfaces?.length) network.interfaces = node.networkInterfaces as GoValue[];
    machine.network = network;
  } else {
    docs.push(
      doc(
        "HostnameConfig",
        node.ignoreHostname ? { auto: "stable" } : { auto: "off", hostname: node.hostname },
      ),
    );
    const resolver: Document = {};
    if (node.nameservers?.length) resolver.nameservers = node.nameservers.map((address) => ({ address }));
    if (node.disableSearchDomain) resolver.searchDomains = { disableDefault: true };
    if (Object.keys(resolver).length > 0) docs.push(doc("ResolverConfig", resolver));
    // Deprecated from 1.12 but still accepted: the multi-document translation of interfaces is lossy (talhelper #1391).
    if (node.networkInterfaces?.length) machine.network = { interfaces: node.networkInterfaces as GoValue[] };
  }
  if (!f.unattendedInstall && node.installDiskSelector)
    machine.install = { diskSelector: node.installDiskSelector as GoValue };
  if (node.machineDisks?.length) machine.disks = node.machineDisks as GoValue[];
  if (node.kernelModules?.length) {
    if (f.multidocKernelModule) {
      for (const m of node.kernelModules)
        docs.push(
          doc("KernelModuleConfig", { name: m.name, ...(m.parameters ? { parameters: m.parameters } : {}) }),
        );
    } else machine.kernel = { modules: node.kernelModules as GoValue[] };
  }
  if (f.multidocKubernetes) {
    const kubeNode: Document = {};
    if (node.nodeLabels) kubeNode.labels = node.nodeLabels;
    if (node.nodeAnnotations) kubeNode.annotations = node.nodeAnnotations;
    if (node.nodeTaints) kubeNode.taints = node.nodeTaints;
    if (Object.keys(kubeNode).length > 0) docs.push(doc("KubeNodeConfig", kubeNode));
  } else {
    if (node.nodeLabels) machine.nodeLabels = node.nodeLabels;
    if (node.nodeAnnotations) machine.nodeAnnotations = node.nodeAnnotations;
    if (node.nodeTaints) machine.nodeTaints = node.nodeTaints;
  }
  if (node.machineFiles?.length)
    machine.files = node.machineFiles.map(({ skipEnvsubst: _, ...file }) => file) as GoValue[];
  if (node.certSANs?.length) machine.certSANs = node.certSANs;
  const cluster: Document = {};
  if (cfg.cniConfig) {
    if (!f.multidocKubernetes) cluster.network = { cni: cfg.cniConfig as GoValue };
    else if (cfg.cniConfig.name === "flannel") {
      const flannel: Document = {};
      if (cfg.cniConfig.flannel?.extraArgs) flannel.extraArgs = cfg.cniConfig.flannel.extraArgs;
      if (cfg.cniConfig.flannel?.kubeNetworkPoliciesEnabled) flannel.kubeNetworkPoliciesEnabled = true;
      docs.push(doc("KubeFlannelCNIConfig", flannel));
    } else if (node.controlPlane) {
      docs.push(doc("KubeFlannelCNIConfig", { $patch: "delete" }));
      (cfg.cniConfig.urls ?? []).forEach((url, i) => {
        docs.push(doc("KubeExternalManifestConfig", { name: `custom-cni-${i}`, url }));
      });
    }
  }
  if (cfg.inlineManifests?.length && node.controlPlane) {
    if (f.multidocKubernetes) {
      for (const m of cfg.inlineManifests)
        docs.push(doc("KubeInlineManifestConfig", { name: m.name, manifest: m.contents }));
    } else cluster.inlineManifests = cfg.inlineManifests.map((m) => ({ name: m.name, contents: m.contents }));
  }
  if (node.ingressFirewall) {
    docs.push(doc("NetworkDefaultActionConfig", { ingress: node.ingressFirewall.defaultAction ?? "block" }));
    for (const rule of node.ingressFirewall.rules ?? []) {
      docs.push(
        doc("NetworkRuleConfig", {
          name: rule.name,
          portSelector: rule.portSelector as GoValue,
          ingress: rule.ingress as GoValue[],
        }),
      );
    }
  }
  for (const v of node.volumes ?? []) docs.push(doc("VolumeConfig", v as Document));
  for (const v of node.userVolumes ?? []) docs.push(doc("UserVolumeConfig", v as Document));
  for (const s of node.extensionServices ?? []) docs.push(doc("ExtensionServiceConfig", s as Document));
  const v1: Document = {};
  if (Object.keys(machine).length > 0) v1.machine = machine;
  if (Object.keys(cluster).length > 0) v1.cluster = cluster;
  return [...(Object.keys(v1).length > 0 ? [{ version: "v1alpha1", ...v1 }] : []), ...docs];
}

function loadPatchEntry(
  entry: string,
  baseDir: string,
  env: Record<string, string | undefined>,
): ConfigPatch | undefined {
  let text = entry;
  const looksLikeFile = entry.startsWith("@") || (!/[\s\n]/.test(entry) && !/^[[{]/.test(entry));
  if (looksLikeFile) {
    const file = path.resolve(baseDir, entry.replace(/^@/, ""));
    text = fs.readFileSync(file, "utf8");
    if (text.trim() === "") return undefined; // talhelper skips empty patch files
    const r = envsubstStrict(text, env);
    if (r.missing.length > 0)
      throw new Error(`${rel(file)}: variable \${${r.missing[0]}} is not set (or empty)`);
    text = r.value;
  }
  return loadPatch(text);
}

/**
 * `homeops talos genconfig`: reads talconfig.yaml (+ talenv, + the secrets bundle), renders one machine config per
 * node and a talosconfig. Nothing is written; the caller writes the planned files.
 */
export async function planTalconfig(
  req: TalconfigRequest,
): Promise<{ files: PlannedFile[]; diagnostics: Diagnostic[] }> {
  const d: Diagnostic[] = [];
  const baseDir = path.dirname(req.configFile);
  const cfgRel = rel(req.configFile);
  let text: string;
  try {
    text = fs.readFileSync(req.configFile, "utf8");
  } catch (e) {
    return {
      files: [],
      diagnostics: [
        diagnostic("TAL004", "error", `cannot read ${cfgRel}: ${(e as Error).message}`, { file: cfgRel }),
      ],
    };
  }
  const env: Record<string, string | undefined> = { ...(req.env ?? process.env) };
  const envFiles = req.envFiles?.length
    ? req.envFiles
    : ["talenv.yaml", "talenv.sops.yaml", "talenv.yml", "talenv.sops.yml"]
        .map((f) => path.join(baseDir, f))
        .filter((f) => fs.existsSync(f));
  for (const f of envFiles) {
    try {
      const r = await readMaybeEncrypted(f, req.ageKeyFile);
      if (r.error)
        d.push(diagnostic("TAL005", "error", `cannot decrypt ${rel(f)}: ${r.error}`, { file: rel(f) }));
      else Object.assign(env, parseEnvFile(r.text ?? ""));
    } catch (e) {
      d.push(
        diagnostic("TAL005", "error", `cannot read ${rel(f)}: ${(e as Error).message}`, { file: rel(f) }),
      );
    }
  }
  const loaded = loadTalconfig(text, cfgRel, env, d);
  if (!loaded) return { files: [], diagnostics: d };
  const cfg = loaded.config;
  const talosVersion = `v${(cfg.talosVersion ?? defaultTalosVersion).replace(/^v/, "")}`;
  const contract = parseContract(talosVersion);
  if (!contract || !contractSupported(contract)) {
    d.push(
      diagnostic(
        "TAL006",
        "error",
        `talosVersion ${talosVersion} is not supported (homeops generates v1.3 to v1.15)`,
        { file: cfgRel, ...loaded.positionOf(["talosVersion"]) },
      ),
    );
    return { files: [], diagnostics: d };
  }
  let secrets = req.secrets;
  if (!secrets) {
    const candidates = req.secretsFiles?.length
      ? req.secretsFiles
      : ["talsecret.yaml", "talsecret.sops.yaml", "talsecret.yml", "talsecret.sops.yml"].map((f) =>
          path.join(baseDir, f),
        );
    const existing = candidates.filter((f) => fs.existsSync(f));
    const file = existing.at(-1) ?? candidates.at(-1) ?? path.join(baseDir, "talsecret.sops.yaml");
    const r = await readSecretsBundle(file, {
      display: rel(file),
      ...(req.ageKeyFile ? { ageKeyFile: req.ageKeyFile } : {}),
    });
    d.push(...r.diagnostics);
    secrets = r.bundle;
  }
  if (!secrets) return { files: [], diagnostics: d };

  const files: PlannedFile[] = [];
  const globalPatches: ConfigPatch[] = [];
  const loadAll = (entries: string[] | undefined, where: (string | number)[]): ConfigPatch[] | undefined => {
    const out: ConfigPatch[] = [];
    let ok = true;
    (entries ?? []).forEach((e, i) => {
      try {
        const p = loadPatchEntry(e, baseDir, env);
        if (p) out.push(p);
      } catch (err) {
        ok = false;
        d.push(
          diagnostic("TAL021", "error", `invalid patch: ${(err as Error).message}`, {
            file: cfgRel,
            ...loaded.positionOf([...where, i]),
          }),
        );
      }
    });
    return ok ? out : undefined;
  };
  globalPatches.push(...(loadAll(cfg.patches, ["patches"]) ?? []));
  for (const [j, m] of (cfg.inlineManifests ?? []).entries()) {
    const r = await resolveContent(m.contents, m.skipEnvsubst === true, baseDir, env, req.ageKeyFile);
    if (r.error)
      d.push(
        diagnostic("TAL023", "error", r.error, {
          file: cfgRel,
          ...loaded.positionOf(["inlineManifests", j, "contents"]),
        }),
      );
    else m.contents = r.value ?? "";
  }
  const f = features(contract);
  const endpoints: string[] = [];
  const nodesList: string[] = [];
  const names = new Set<string>();
  for (const [i, raw] of cfg.nodes.entries()) {
    const node = mergeNodeConfigs(raw, raw.controlPlane ? cfg.controlPlane : cfg.worker);
    if (node.machineFiles?.length) {
      const files: NonNullable<TalNode["machineFiles"]> = [];
      for (const [j, mf] of node.machineFiles.entries()) {
        const r = await resolveContent(mf.content, mf.skipEnvsubst === true, baseDir, env, req.ageKeyFile);
        if (r.error)
          d.push(
            diagnostic("TAL023", "error", r.error, {
              file: cfgRel,
              ...loaded.positionOf(["nodes", i, "machineFiles", j, "content"]),
            }),
          );
        else files.push({ ...mf, content: r.value ?? "" });
      }
      node.machineFiles = files;
    }
    const at = (p: (string | number)[]) => ({ file: cfgRel, ...loaded.positionOf(["nodes", i, ...p]) });
    const ips = node.ipAddress
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (node.controlPlane) endpoints.push(...ips);
    nodesList.push(...ips);
    if (!node.installDisk && !node.installDiskSelector) {
      d.push(
        diagnostic(
          "TAL007",
          "error",
          `node ${node.hostname} needs installDisk or installDiskSelector`,
          at(["hostname"]),
        ),
      );
      continue;
    }
    if (f.unattendedInstall && !node.installDisk) {
      d.push(
        diagnostic(
          "TAL008",
          "error",
          `node ${node.hostname}: installDiskSelector cannot be expressed for Talos ${contractString(contract)} (UnattendedInstallConfig matches disks with CEL)`,
          at(["installDiskSelector"]),
          "use installDisk, or a patch with an UnattendedInstallConfig provisioning.diskSelector.match expression",
        ),
      );
      continue;
    }
    const fileName = outputFileName(cfg.filenameTmpl ?? "{{.ClusterName}}-{{.Hostname}}.yaml", {
      ClusterName: cfg.clusterName,
      Hostname: node.hostname,
      IPAddress: node.ipAddress,
      Role: node.controlPlane ? "controlplane" : "worker",
    });
    if (!fileName) {
      d.push(
        diagnostic(
          "TAL024",
          "error",
          `filenameTmpl ${JSON.stringify(cfg.filenameTmpl)} is not a file name homeops can render`,
          { file: cfgRel, ...loaded.positionOf(["filenameTmpl"]) },
          "use only {{.ClusterName}}, {{.Hostname}}, {{.IPAddress}} and {{.Role}}, and no /",
        ),
      );
      break;
    }
    if (names.has(fileName)) {
      d.push(diagnostic("TAL009", "error", `two nodes would both write ${fileName}`, at(["hostname"])));
      continue;
    }
    names.add(fileName);
    const image = node.talosImageURL
      ? `${node.talosImageURL}:${talosVersion}`
      : installerImage(node.schematic ?? {}, {
          talosVersion,
          ...(cfg.imageFactory?.registryURL ? { registryURL: cfg.imageFactory.registryURL } : {}),
          ...(node.machineSpec?.mode ? { mode: node.machineSpec.mode } : {}),
          ...(node.machineSpec?.secureboot ? { secureboot: true } : {}),
        });
    const input: GenerateInput = {
      clusterName: cfg.clusterName,
      endpoint: cfg.endpoint,
      kubernetesVersion: cfg.kubernetesVersion,
      contract,
      secrets: secrets as SecretsBundle,
      additionalSANs: cfg.additionalApiServerCertSans ?? [],
      additionalMachineCertSANs: cfg.additionalMachineCertSans ?? [],
      allowSchedulingOnControlPlanes:
        cfg.allowSchedulingOnControlPlanes ?? cfg.allowSchedulingOnMasters ?? false,
      ...(cfg.domain ? { dnsDomain: cfg.domain } : {}),
      ...(cfg.clusterPodNets?.length ? { podSubnets: cfg.clusterPodNets } : {}),
      ...(cfg.clusterSvcNets?.length ? { serviceSubnets: cfg.clusterSvcNets } : {}),
      ...(node.installDisk ? { installDisk: node.installDisk } : {}),
      installImage: image,
      ...(node.schematic?.customization?.extraKernelArgs?.length &&
      !f.grubUseUKICmdline &&
      !node.machineSpec?.useUKI
        ? { installExtraKernelArgs: node.schematic.customization.extraKernelArgs }
        : {}),
    };
    const nodePatches = loadAll(node.patches, ["nodes", i, "patches"]);
    if (!nodePatches) continue;
    try {
      const docs = applyPatches(generateConfig(input, node.controlPlane ? "controlplane" : "worker"), [
        { type: "strategic", documents: nodePatch(cfg, node, contract) },
        ...nodePatches,
        ...globalPatches,
      ]);
      if (node.extraManifests?.length) {
        const extra = readExtraManifests(node.extraManifests, baseDir);
        if (extra.error) {
          d.push(
            diagnostic("TAL025", "error", `node ${node.hostname}: ${extra.error}`, at(["extraManifests"])),
          );
          continue;
        }
        docs.push(...(extra.docs ?? []));
      }
      const strict = strictProblems(docs);
      for (const m of strict) {
        d.push(diagnostic("TAL022", "error", `node ${node.hostname}: ${m}`, at(["hostname"]), strictHint));
      }
      if (strict.length > 0) continue;
      files.push({
        file: path.join(req.outDir, fileName),
        content: encodeGoYamlDocuments(docs as GoValue[]),
        mode: 0o600,
      });
    } catch (e) {
      if (!(e instanceof PatchError)) throw e;
      d.push(
        diagnostic("TAL020", "error", `node ${node.hostname}: ${e.message}`, at(["patches"]), patchHint),
      );
    }
  }
  if (d.some((x) => x.severity === "error")) return { files: [], diagnostics: d };
  files.push({
    file: path.join(req.outDir, "talosconfig"),
    content: await renderTalosconfig({
      clusterName: cfg.clusterName,
      bundle: secrets,
      endpoints,
      ...(req.nodesSection === false ? {} : { nodes: nodesList }),
    }),
    mode: 0o600,
  });
  if (req.gitignore !== false) {
    const gi = path.join(req.outDir, ".gitignore");
    const existing = fs.existsSync(gi) ? fs.readFileSync(gi, "utf8") : "";
    const have = new Set(existing.split("\n").map((l) => l.trim()));
    const add = files.map((x) => path.basename(x.file)).filter((n) => !have.has(n));
    if (add.length > 0) {
      const sep = existing === "" || existing.endsWith("\n") ? "" : "\n";
      files.push({ file: gi, content: `${existing}${sep}${add.join("\n")}\n`, mode: 0o644 });
    }
  }
  return { files, diagnostics: d };
}
