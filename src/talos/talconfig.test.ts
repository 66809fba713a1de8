import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { planTalconfig } from "./talconfig.ts";

const cluster = path.join(import.meta.dirname, "testdata", "cluster");
const schemaFile = path.join(import.meta.dirname, "testdata", "talos-schema", "config.schema.json");
const cleanEnv = { PATH: process.env.PATH ?? "" };

async function render(talosVersion: string, dir = cluster) {
  return planTalconfig({
    configFile: path.join(dir, "talconfig.yaml"),
    outDir: "/out",
    env: { ...cleanEnv, TALOS_VERSION: talosVersion },
  });
}

function docsOf(content: string): Record<string, unknown>[] {
  return parseAllDocuments(content).map((d) => d.toJS() as Record<string, unknown>);
}

/**
 * Talos's published schema (website/content/v1.15/schemas/config.schema.json) is wrong in two places for configs
 * Talos itself generates: it omits `persist` (tagged nodoc) although every generated v1alpha1 document has
 * `persist: true`, and it publishes UnattendedInstallConfig under the kind `UnattendedInstall`. Those two are
 * corrected before validating; everything else must validate as published.
 */
function talosValidator() {
  const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(schema, "talos");
  const byKind = new Map<string, string>();
  for (const branch of schema.oneOf as { $ref: string }[]) {
    const def = schema.$defs[branch.$ref.split("/").pop() as string];
    const kind = def.properties?.kind?.enum?.[0] ?? (def.properties?.version ? "v1alpha1" : undefined);
    byKind.set(kind, branch.$ref);
  }
  return (doc: Record<string, unknown>): string[] => {
    const d = { ...doc };
    let kind = typeof d.kind === "string" ? d.kind : "v1alpha1";
    if (kind === "v1alpha1") delete d.persist; // schema defect 1
    if (kind === "UnattendedInstallConfig") {
      kind = "UnattendedInstall"; // schema defect 2
      d.kind = kind;
    }
    const ref = byKind.get(kind);
    if (!ref) return [`no schema for kind ${kind}`];
    const validate = ajv.getSchema(`talos${ref}`);
    if (!validate) return [`schema ${ref} does not compile`];
    return validate(d) ? [] : (validate.errors ?? []).map((e) => `${kind}${e.instancePath} ${e.message}`);
  };
}

describe("genconfig: 3 control planes + 1 worker (LUKS2, dual-stack, schematic, per-node patches)", async () => {
  const r = await render("v1.15.0");
  const byName = Object.fromEntries(r.files.map((f) => [path.basename(f.file), f.content]));

  it("writes one file per node, talosconfig and .gitignore, without diagnostics", () => {
    expect(r.diagnostics).toEqual([]);
    expect(Object.keys(byName).sort()).toEqual([
      ".gitignore",
      "home-cp-1.yaml",
      "home-cp-2.yaml",
      "home-cp-3.yaml",
      "home-worker-1.yaml",
      "talosconfig",
    ]);
  });

  it("every document validates against Talos's published config schema (v1.15)", () => {
    const validate = talosValidator();
    const errors = Object.entries(byName)
      .filter(([n]) => n.endsWith(".yaml"))
      .flatMap(([n, c]) => docsOf(c).flatMap((d) => validate(d).map((e) => `${n}: ${e}`)));
    expect(errors).toEqual([]);
  });

  it("applies talconfig settings per contract", () => {
    const cp1 = docsOf(byName["home-cp-1.yaml"] as string);
    const kind = (docs: Record<string, unknown>[], k: string, name?: string) =>
      docs.filter((d) => d.kind === k && (name === undefined || d.name === name));
    // Schematic id of the control-plane group's schematic, installer on the factory (metal, unified form).
    expect(kind(cp1, "UnattendedInstallConfig")[0]).toMatchObject({
      installer: {
        image:
          "factory.talos.dev/metal-installer/9e8cc193609699825d61c039c7738d81cf29c7b20f2a91d8f5c540511b9ea0b4:v1.15.0",
      },
      provisioning: { diskSelector: { match: 'disk.dev_path == "/dev/nvme0n1"' } },
    });
    // LUKS2 merged into the generated EPHEMERAL volume.
    expect(kind(cp1, "VolumeConfig", "EPHEMERAL")).toEqual([
      {
        apiVersion: "v1alpha1",
        kind: "VolumeConfig",
        name: "EPHEMERAL",
        encryption: { provider: "luks2", keys: [{ slot: 0, tpm: {} }] },
        mount: { secure: true },
      },
    ]);
    expect(kind(cp1, "KubeNetworkConfig")[0]).toMatchObject({
      podSubnets: ["10.42.0.0/16", "fd00:10:42::/56"],
      serviceSubnets: ["10.43.0.0/16", "fd00:10:43::/112"],
    });
    expect(kind(cp1, "HostnameConfig")).toEqual([
      { apiVersion: "v1alpha1", kind: "HostnameConfig", auto: "off", hostname: "cp-1" },
    ]);
    expect(kind(cp1, "ResolverConfig")[0]).toMatchObject({ nameservers: [{ address: "10.0.0.1" }] });
    expect(kind(cp1, "KubeNodeConfig")[0]).toMatchObject({
      labels: { "node-role.kubernetes.io/control-plane": "", "topology.kubernetes.io/zone": "a" },
    });
    expect(kind(cp1, "KubeAPIServerConfig")[0]).toMatchObject({
      certExtraSANs: ["10.0.0.10", "k8s.home.example"],
      extraArgs: { "enable-aggregator-routing": "true" },
    });
    // cniConfig none: no flannel; the global patch lands on every node.
    expect(kind(cp1, "KubeFlannelCNIConfig")).toEqual([]);
    for (const n of ["home-cp-1.yaml", "home-cp-2.yaml", "home-cp-3.yaml", "home-worker-1.yaml"]) {
      expect(kind(docsOf(byName[n] as string), "TimeSyncConfig")).toHaveLength(1);
    }
    // Only cp-2 has its node patch (the VIP), with the variable substituted in the @file patch.
    expect(kind(docsOf(byName["home-cp-2.yaml"] as string), "Layer2VIPConfig")).toEqual([
      { apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name: "10.0.0.10", link: "eth0" },
    ]);
    expect(kind(docsOf(byName["home-cp-3.yaml"] as string), "Layer2VIPConfig")).toEqual([]);
    const worker = docsOf(byName["home-worker-1.yaml"] as string);
    expect(kind(worker, "KernelModuleConfig")).toEqual([
      { apiVersion: "v1alpha1", kind: "KernelModuleConfig", name: "nbd" },
    ]);
    expect(kind(worker, "KubeNodeConfig")[0]).toMatchObject({ taints: { dedicated: "storage:NoSchedule" } });
    expect(kind(worker, "UserVolumeConfig", "data")[0]).toMatchObject({
      encryption: { provider: "luks2", keys: [{ slot: 0, static: { passphrase: "correct-horse-battery" } }] },
    });
    expect(kind(worker, "SysctlConfig")[0]).toMatchObject({ params: { "vm.nr_hugepages": "1024" } });
    expect(kind(worker, "UnattendedInstallConfig")[0]).toMatchObject({
      installer: {
        image:
          "factory.talos.dev/metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.15.0",
      },
    });
  });

  it("talosconfig lists control-plane endpoints and every node", () => {
    const tc = docsOf(byName.talosconfig as string)[0] as {
      context: string;
      contexts: Record<string, Record<string, unknown>>;
    };
    expect(tc.context).toBe("home");
    expect(tc.contexts.home).toMatchObject({
      endpoints: ["10.0.0.11", "10.0.0.12", "10.0.0.13"],
      nodes: ["10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.21", "fd00::21"],
    });
  });
});

describe("genconfig per contract", () => {
  it("single document up to 1.11: hostname, nameservers, install, labels in v1alpha1", async () => {
    const r = await render("v1.10.7");
    expect(r.diagnostics).toEqual([]);
    const cp1 = r.files.find((f) => f.file.endsWith("home-cp-1.yaml"))?.content ?? "";
    const docs = docsOf(cp1);
    // The talconfig's 1.14-style documents are appended as written (Talos 1.10 would reject them).
    expect(docs.map((d) => d.kind ?? "v1alpha1")).toEqual([
      "v1alpha1",
      "VolumeConfig",
      "KubeAPIServerConfig",
      "TimeSyncConfig",
    ]);
    const v1 = docs[0] as {
      machine: Record<string, Record<string, unknown>>;
      cluster: Record<string, Record<string, unknown>>;
    };
    expect(v1.machine.network).toMatchObject({ hostname: "cp-1", nameservers: ["10.0.0.1"] });
    expect(v1.machine.install).toMatchObject({
      disk: "/dev/nvme0n1",
      image:
        "factory.talos.dev/metal-installer/9e8cc193609699825d61c039c7738d81cf29c7b20f2a91d8f5c540511b9ea0b4:v1.10.7",
      extraKernelArgs: ["net.ifnames=0"],
    });
    expect(v1.machine.nodeLabels).toEqual({
      "node.kubernetes.io/exclude-from-external-load-balancers": "",
      "topology.kubernetes.io/zone": "a",
    });
    expect(v1.cluster.network).toMatchObject({
      cni: { name: "none" },
      podSubnets: ["10.42.0.0/16", "fd00:10:42::/56"],
    });
  });

  it("multi-document from 1.12 (HostnameConfig), Kubernetes settings in v1alpha1 until 1.13", async () => {
    const r = await render("v1.12.4");
    expect(r.diagnostics).toEqual([]);
    const docs = docsOf(r.files.find((f) => f.file.endsWith("home-cp-1.yaml"))?.content ?? "");
    expect(docs.filter((d) => d.kind === "HostnameConfig")).toEqual([
      { apiVersion: "v1alpha1", kind: "HostnameConfig", auto: "off", hostname: "cp-1" },
    ]);
    const v1 = docs[0] as { machine: Record<string, unknown>; cluster: Record<string, unknown> };
    expect(v1.machine.network).toEqual({});
    expect(v1.cluster.apiServer).toMatchObject({ certSANs: ["10.0.0.10", "k8s.home.example"] });
    expect(docs.some((d) => d.kind === "KubeletConfig")).toBe(false);
  });
});

describe("genconfig diagnostics", () => {
  const scratch = (talconfig: string, extra: Record<string, string> = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-talconfig-"));
    fs.writeFileSync(path.join(dir, "talconfig.yaml"), talconfig);
    for (const [f, c] of Object.entries(extra)) fs.writeFileSync(path.join(dir, f), c);
    return dir;
  };
  const secrets = fs.readFileSync(path.join(cluster, "talsecret.yaml"), "utf8");
  const minimal = (extra = "", node = "") =>
    `clusterName: c\nendpoint: https://10.0.0.1:6443\ntalosVersion: v1.15.0\nkubernetesVersion: 1.33.0\n${extra}nodes:\n  - hostname: n1\n    ipAddress: 10.0.0.1\n    controlPlane: true\n    installDisk: /dev/sda\n${node}`;

  it("TAL002: unknown key, at its position", async () => {
    const r = await render("", scratch(minimal("clustrPodNets: []\n"), { "talsecret.yaml": secrets }));
    expect(r.diagnostics).toMatchObject([
      { code: "TAL002", line: 5, column: 1, message: "unknown field clustrPodNets" },
    ]);
  });

  it("TAL003: an unset variable is an error, at its position", async () => {
    const r = await render("", scratch(minimal("domain: ${NOPE}\n"), { "talsecret.yaml": secrets }));
    expect(r.diagnostics).toMatchObject([{ code: "TAL003", line: 5, column: 9 }]);
  });

  it("TAL001: a schema violation, at its position", async () => {
    const r = await render(
      "",
      scratch(minimal("allowSchedulingOnControlPlanes: maybe\n"), { "talsecret.yaml": secrets }),
    );
    expect(r.diagnostics).toMatchObject([{ code: "TAL001", line: 5, column: 33 }]);
  });

  it("TAL010: a missing secrets bundle is an error that says how to get it back, never new secrets", async () => {
    const r = await render("", scratch(minimal()));
    expect(r.files).toEqual([]);
    expect(r.diagnostics).toMatchObject([{ code: "TAL010", severity: "error" }]);
    expect(r.diagnostics[0]?.hint).toContain("git history");
  });

  it("TAL020: a JSON 6902 patch on a multi-document config says to use a strategic merge patch", async () => {
    const node =
      '    patches:\n      - \'[{"op": "remove", "path": "/cluster/apiServer/admissionControl"}]\'\n';
    const r = await render("", scratch(minimal("", node), { "talsecret.yaml": secrets }));
    expect(r.diagnostics).toMatchObject([{ code: "TAL020", line: 11 }]);
    expect(r.diagnostics[0]?.message).toContain("JSON6902 patches are not supported for multi-document");
  });

  it("TAL004: an unreadable talconfig", async () => {
    const r = await render("", path.join(os.tmpdir(), "homeops-no-such-dir"));
    expect(r.diagnostics).toMatchObject([{ code: "TAL004", severity: "error" }]);
  });

  it("TAL005: an env file that cannot be decrypted", async () => {
    const enc =
      "A: ENC[AES256_GCM,data:xx,iv:yy,tag:zz,type:str]\nsops:\n  age: []\n  mac: ENC[AES256_GCM,data:a,iv:b,tag:c,type:str]\n  lastmodified: '2024-01-01T00:00:00Z'\n  version: 3.9.0\n";
    const dir = scratch(minimal(), { "talsecret.yaml": secrets, "talenv.sops.yaml": enc });
    const r = await render("", dir);
    expect(r.diagnostics).toMatchObject([
      { code: "TAL005", file: expect.stringContaining("talenv.sops.yaml") },
    ]);
  });

  it("TAL006: an unsupported talosVersion, at its position", async () => {
    const r = await render(
      "",
      scratch(minimal().replace("v1.15.0", "v1.2.0"), { "talsecret.yaml": secrets }),
    );
    expect(r.diagnostics).toMatchObject([{ code: "TAL006", line: 3, column: 15 }]);
  });

  it("TAL008: installDiskSelector on Talos 1.14+", async () => {
    const text = minimal().replace(
      "    installDisk: /dev/sda\n",
      "    installDiskSelector:\n      size: '>= 100GB'\n",
    );
    const r = await render("", scratch(text, { "talsecret.yaml": secrets }));
    expect(r.diagnostics).toMatchObject([{ code: "TAL008", line: 10, column: 7 }]);
  });

  it("TAL009: two nodes with the same hostname", async () => {
    const node = "  - hostname: n1\n    ipAddress: 10.0.0.2\n    installDisk: /dev/sda\n";
    const r = await render("", scratch(minimal() + node, { "talsecret.yaml": secrets }));
    expect(r.diagnostics).toMatchObject([{ code: "TAL009", line: 10, column: 15 }]);
  });

  it("TAL021: a patch that is neither a strategic merge patch nor JSON 6902", async () => {
    const node = "    patches:\n      - '[1, 2]'\n";
    const r = await render("", scratch(minimal("", node), { "talsecret.yaml": secrets }));
    expect(r.diagnostics).toMatchObject([{ code: "TAL021", line: 11, column: 9 }]);
  });

  it("TAL022: a patch with a field Talos does not know", async () => {
    const node =
      "    patches:\n      - |-\n        machine:\n          kubelet:\n            extraArgz: {}\n";
    const r = await render(
      "",
      scratch(minimal("", node).replace("v1.15.0", "v1.11.0"), { "talsecret.yaml": secrets }),
    );
    expect(r.diagnostics).toMatchObject([
      {
        code: "TAL022",
        line: 6,
        column: 15,
        message: "node n1: unknown field machine.kubelet.extraArgz in v1alpha1",
      },
    ]);
  });

  it("machineFiles and inlineManifests read @file contents and substitute them; TAL023 when a file is missing", async () => {
    const node =
      "    machineFiles:\n      - path: /var/etc/x.conf\n        op: create\n        permissions: 420\n        content: '@x.conf'\n";
    const extra = "inlineManifests:\n  - name: ns\n    contents: '@ns.yaml'\n    skipEnvsubst: true\n";
    const files = {
      "talsecret.yaml": secrets,
      "x.conf": "host=${HOST}\n",
      "ns.yaml": "kind: Namespace # ${LITERAL}\n",
    };
    const dir = scratch(minimal(extra, node).replace("v1.15.0", "v1.13.0"), files);
    const r = await planTalconfig({
      configFile: path.join(dir, "talconfig.yaml"),
      outDir: "/out",
      env: { HOST: "nas" },
    });
    expect(r.diagnostics).toEqual([]);
    const v1 = docsOf(r.files[0]?.content ?? "")[0] as {
      machine: { files: unknown[] };
      cluster: { inlineManifests: unknown[] };
    };
    expect(v1.machine.files).toEqual([
      { content: "host=nas\n", permissions: 420, path: "/var/etc/x.conf", op: "create" },
    ]);
    expect(v1.cluster.inlineManifests).toEqual([{ name: "ns", contents: "kind: Namespace # ${LITERAL}\n" }]);
    fs.rmSync(path.join(dir, "x.conf"));
    const missing = await planTalconfig({
      configFile: path.join(dir, "talconfig.yaml"),
      outDir: "/out",
      env: {},
    });
    expect(missing.diagnostics).toMatchObject([{ code: "TAL023", line: 18, column: 18 }]);
  });

  it("ingressFirewall, extraManifests and filenameTmpl; TAL024/TAL025 for what cannot be rendered", async () => {
    const node = [
      "    extraManifests: ['extra.yaml']",
      "    ingressFirewall:",
      "      defaultAction: block",
      "      rules:",
      "        - name: kubelet",
      "          portSelector: {ports: [10250], protocol: tcp}",
      "          ingress: [{subnet: 10.0.0.0/24}]",
      "",
    ].join("\n");
    const extra = "apiVersion: v1alpha1\nkind: WatchdogTimerConfig\ndevice: /dev/watchdog0\n";
    const tmpl = "filenameTmpl: '{{ .Role }}-{{.Hostname}}.yaml'\n";
    const dir = scratch(minimal(tmpl, node), { "talsecret.yaml": secrets, "extra.yaml": extra });
    const r = await render("", dir);
    expect(r.diagnostics).toEqual([]);
    expect(path.basename(r.files[0]?.file ?? "")).toBe("controlplane-n1.yaml");
    const docs = docsOf(r.files[0]?.content ?? "");
    expect(docs.filter((d) => /^Network|^Watchdog/.test(String(d.kind)))).toEqual([
      { apiVersion: "v1alpha1", kind: "NetworkDefaultActionConfig", ingress: "block" },
      {
        apiVersion: "v1alpha1",
        kind: "NetworkRuleConfig",
        name: "kubelet",
        portSelector: { ports: [10250], protocol: "tcp" },
        ingress: [{ subnet: "10.0.0.0/24" }],
      },
      { apiVersion: "v1alpha1", kind: "WatchdogTimerConfig", device: "/dev/watchdog0" },
    ]);
    fs.writeFileSync(
      path.join(dir, "extra.yaml"),
      "hostname: {{ .MachineConfig.MachineNetwork.NetworkHostname }}\n",
    );
    const templated = await render("", dir);
    expect(templated.diagnostics).toMatchObject([{ code: "TAL025", line: 11, column: 21 }]);
    const badName = await render(
      "",
      scratch(minimal("filenameTmpl: '{{ .Foo }}.yaml'\n"), { "talsecret.yaml": secrets }),
    );
    expect(badName.diagnostics).toMatchObject([{ code: "TAL024", line: 5, column: 15 }]);
  });

  it("TAL007: a node without an install disk", async () => {
    const text = minimal().replace("    installDisk: /dev/sda\n", "");
    const r = await render("", scratch(text, { "talsecret.yaml": secrets }));
    expect(r.diagnostics).toMatchObject([{ code: "TAL007", line: 6 }]);
  });
});
