import { documentType, orderAs } from "./config-order.ts";
import { type Contract, features } from "./contract.ts";
import type { GoValue } from "./go-yaml.ts";
import { pem, type SecretsBundle } from "./secrets.ts";

export type Document = { [key: string]: GoValue };
export type MachineType = "controlplane" | "worker";

/** What `generate.NewInput` takes: the cluster, the secrets and the options `talosctl gen config` exposes. */
export interface GenerateInput {
  clusterName: string;
  /** Control-plane endpoint URL, e.g. `https://10.0.0.10:6443`. */
  endpoint: string;
  /** Without the `v` prefix, e.g. `1.33.1`. */
  kubernetesVersion: string;
  contract: Contract;
  secrets: SecretsBundle;
  /** API server and machine certificate SANs (`--additional-sans`). */
  additionalSANs?: string[];
  /** Machine certificate SANs when they differ from the API server's (talhelper sets both separately). */
  additionalMachineCertSANs?: string[];
  allowSchedulingOnControlPlanes?: boolean;
  dnsDomain?: string;
  installDisk?: string;
  installImage?: string;
  installExtraKernelArgs?: string[];
  localAPIServerPort?: number;
  sysctls?: Record<string, string>;
  customCNIUrl?: string;
  registryMirrors?: Record<string, string[]>;
  podSubnets?: string[];
  serviceSubnets?: string[];
  /** Cluster discovery (default on). */
  discovery?: boolean;
  /** KubePrism port; 0 disables it; unset keeps the contract's default. */
  kubePrismPort?: number;
  hostDNSForwardKubeDNSToHost?: boolean;
  kubeSpan?: boolean;
}

const kubeletImage = "ghcr.io/siderolabs/kubelet";
const apiServerImage = "registry.k8s.io/kube-apiserver";
const controllerManagerImage = "registry.k8s.io/kube-controller-manager";
const schedulerImage = "registry.k8s.io/kube-scheduler";
const proxyImage = "registry.k8s.io/kube-proxy";
const excludeLB = "node.kubernetes.io/exclude-from-external-load-balancers";
const controlPlaneRole = "node-role.kubernetes.io/control-plane";

const podSecurityConfiguration = (): Document => ({
  apiVersion: "pod-security.admission.config.k8s.io/v1alpha1",
  defaults: {
    audit: "restricted",
    "audit-version": "latest",
    enforce: "baseline",
    "enforce-version": "latest",
    warn: "restricted",
    "warn-version": "latest",
  },
  exemptions: { namespaces: ["kube-system"], runtimeClasses: [], usernames: [] },
  kind: "PodSecurityConfiguration",
});

const auditPolicy = (): Document => ({
  apiVersion: "audit.k8s.io/v1",
  kind: "Policy",
  rules: [{ level: "Metadata" }],
});

/** Hostname of a URL as Go's url.Hostname (IPv6 brackets removed). */
function urlHostname(endpoint: string): string {
  try {
    return new URL(endpoint).hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    return "";
  }
}

/** Go's url.String() of a parsed URL keeps what was written; normalising would change bytes, so keep it. */
const urlString = (u: string) => u;

/** Default pod and service networks: IPv6 ones only when the endpoint is a bare IPv6 address, as Talos decides. */
function defaultNets(endpoint: string): { pod: string; service: string } {
  const v6 = /^[0-9a-fA-F:]+$/.test(endpoint) && endpoint.includes(":") && !endpoint.includes("://");
  return v6
    ? { pod: "fc00:db8:10::/56", service: "fc00:db8:20::/112" }
    : { pod: "10.244.0.0/16", service: "10.96.0.0/12" };
}

/**
 * The documents Talos's generator produces for one machine type (`input.Config(machine.Type…)`), in Talos's
 * order, each ordered as Go encodes it.
 */
export function generateConfig(input: GenerateInput, type: MachineType): Document[] {
  const f = features(input.contract);
  const cp = type === "controlplane";
  const k8s = input.kubernetesVersion.replace(/^v/, "");
  const b = input.secrets;
  const nets = defaultNets(input.endpoint);
  const podNets = input.podSubnets ?? [nets.pod];
  const serviceNets = input.serviceSubnets ?? [nets.service];
  const dnsDomain = input.dnsDomain ?? "cluster.local";
  const sans = input.additionalSANs ?? [];
  const machineSANs = input.additionalMachineCertSANs ?? sans;
  const discovery = input.discovery ?? true;
  const certSANs = [...(f.populateClusterSANsFromEndpoint ? [urlHostname(input.endpoint)] : []), ...sans];

  const machine: Document = {
    type,
    token: b.trustdinfo.token,
    ca: cp ? { crt: b.certs.os.crt, key: b.certs.os.key } : { crt: b.certs.os.crt, key: "" },
    certSANs: machineSANs,
  };
  if (!f.multidocKubernetes) {
    const kubelet: Document = { image: `${kubeletImage}:v${k8s}` };
    if (f.kubeletSeccompDefault) kubelet.defaultRuntimeSeccompProfileEnabled = true;
    if (f.kubeletManifestsDirectoryDisabled) kubelet.disableManifestsDirectory = true;
    machine.kubelet = kubelet;
  }
  if (!f.unattendedInstall) {
    const install: Document = {};
    if (input.installDisk) install.disk = input.installDisk;
    if (input.installImage) install.image = input.installImage;
    if (input.installExtraKernelArgs?.length) install.extraKernelArgs = input.installExtraKernelArgs;
    install.wipe = false;
    if (f.grubUseUKICmdline) install.grubUseUKICmdline = true;
    machine.install = install;
  }
  if (!f.multidocSysctl && input.sysctls && Object.keys(input.sysctls).length > 0)
    machine.sysctls = input.sysctls;

  const feat: Document = {};
  if (!f.hideRBACAndKeyUsage) {
    feat.rbac = true;
    if (f.apidExtKeyUsageCheck) feat.apidCheckExtKeyUsage = true;
  }
  if (f.diskQuotaSupport) feat.diskQuotaSupport = true;
  if (!f.multidocKubernetes) {
    if (input.kubePrismPort !== undefined) {
      if (input.kubePrismPort > 0) feat.kubePrism = { enabled: true, port: input.kubePrismPort };
    } else if (f.kubePrism) feat.kubePrism = { enabled: true, port: 7445 };
  }
  const forwardKubeDNS = input.hostDNSForwardKubeDNSToHost === true || f.hostDNSForwardKubeDNSToHost;
  if (f.hostDNS && !f.hostDNSMultidoc) {
    feat.hostDNS = { enabled: true, ...(forwardKubeDNS ? { forwardKubeDNSToHost: true } : {}) };
  }
  machine.features = feat;
  if (cp && f.excludeFromExternalLB && !f.multidocKubernetes) machine.nodeLabels = { [excludeLB]: "" };

  const cluster: Document = {};
  if (!f.discoveryIdentityMultidoc) {
    cluster.id = b.cluster.id;
    cluster.secret = b.cluster.secret;
    if (cp || (f.clusterNameForWorkers && !f.multidocKubernetes)) cluster.clusterName = input.clusterName;
  }
  cluster.token = b.secrets.bootstraptoken;
  if (!f.multidocKubernetes) {
    cluster.controlPlane = {
      endpoint: urlString(input.endpoint),
      ...(cp && input.localAPIServerPort ? { localAPIServerPort: input.localAPIServerPort } : {}),
    };
    const network: Document = { dnsDomain, podSubnets: podNets, serviceSubnets: serviceNets };
    if (input.customCNIUrl) network.cni = { name: "custom", urls: [input.customCNIUrl] };
    cluster.network = network;
    cluster.ca = cp ? { crt: b.certs.k8s.crt, key: b.certs.k8s.key } : { crt: b.certs.k8s.crt, key: "" };
  }
  if (cp && !f.multidocKubernetes) {
    cluster.aggregatorCA = { crt: b.certs.k8saggregator.crt, key: b.certs.k8saggregator.key };
    cluster.serviceAccount = { key: b.certs.k8sserviceaccount.key };
    const apiServer: Document = { image: `${apiServerImage}:v${k8s}` };
    if (certSANs.length > 0) apiServer.certSANs = certSANs;
    if (!f.hideDisablePSP) apiServer.disablePodSecurityPolicy = true;
    if (f.podSecurityAdmission) {
      apiServer.admissionControl = [{ name: "PodSecurity", configuration: podSecurityConfiguration() }];
    }
    if (f.auditPolicy) apiServer.auditPolicy = auditPolicy();
    cluster.apiServer = apiServer;
    cluster.controllerManager = { image: `${controllerManagerImage}:v${k8s}` };
    cluster.proxy = { image: `${proxyImage}:v${k8s}` };
    cluster.scheduler = { image: `${schedulerImage}:v${k8s}` };
    if (f.secretbox) cluster.secretboxEncryptionSecret = b.secrets.secretboxencryptionsecret ?? "";
    else cluster.aescbcEncryptionSecret = b.secrets.aescbcencryptionsecret ?? "";
    if (input.allowSchedulingOnControlPlanes) {
      if (f.allowSchedulingOnControlPlanesField) cluster.allowSchedulingOnControlPlanes = true;
      else cluster.allowSchedulingOnMasters = true;
    }
  }
  if (!f.discoveryServiceMultidoc) {
    cluster.discovery = {
      enabled: discovery,
      registries: { kubernetes: f.kubernetesDiscoveryBackendDisabled ? { disabled: true } : {}, service: {} },
    };
  }
  if (cp) cluster.etcd = { ca: { crt: b.certs.etcd.crt, key: b.certs.etcd.key } };

  const docs: Document[] = [];
  const extra = (kind: string, body: Document): Document => ({ apiVersion: "v1alpha1", kind, ...body });
  if (discovery && f.discoveryServiceMultidoc) {
    docs.push(extra("DiscoveryServiceConfig", { name: "default", endpoint: "https://discovery.talos.dev/" }));
  }
  if (f.discoveryIdentityMultidoc) {
    docs.push(extra("DiscoveryIdentityConfig", { clusterID: b.cluster.id, clusterSecret: b.cluster.secret }));
  }
  if (f.unattendedInstall && input.installDisk) {
    docs.push(
      extra("UnattendedInstallConfig", {
        installer: input.installImage ? { image: input.installImage } : {},
        provisioning: {
          diskSelector: { match: `disk.dev_path == ${JSON.stringify(input.installDisk)}` },
          wipe: false,
        },
      }),
    );
  }
  if (f.hostDNS && f.hostDNSMultidoc) {
    docs.push(
      extra("ResolverConfig", {
        hostDNS: { enabled: true, ...(forwardKubeDNS ? { forwardKubeDNSToHost: true } : {}) },
      }),
    );
  }
  if (f.multidocSysctl && input.sysctls && Object.keys(input.sysctls).length > 0) {
    docs.push(extra("SysctlConfig", { params: input.sysctls }));
  }
  if (f.filesystemTrim) {
    docs.push(extra("VolumeConfig", { name: "EPHEMERAL", mount: { secure: true } }));
    docs.push(extra("FilesystemTrimConfig", { interval: "168h0m0s" }));
  }
  if (f.workloadIsolation) docs.push(extra("SecurityProfileConfig", { workloadIsolation: true }));
  docs.push(...registryDocuments(input, f.multidocNetwork, machine));
  if (!f.kubeSpanMultidoc) machine.network = {};
  if (f.stableHostname && !f.multidocNetwork) (machine.features as Document).stableHostname = true;
  if (f.multidocNetwork) docs.push(extra("HostnameConfig", { auto: "stable" }));
  if (input.kubeSpan !== undefined) {
    if (f.kubeSpanMultidoc) docs.push(extra("KubeSpanConfig", { enabled: input.kubeSpan }));
    else machine.network = { kubespan: { enabled: input.kubeSpan } };
  }
  if (f.multidocKubernetes) {
    docs.push(...kubernetesUniversal(input, cp, k8s, dnsDomain, podNets, serviceNets));
    if (cp) docs.push(...kubernetesControlPlane(input, k8s, certSANs));
  }

  const v1alpha1: Document = { version: "v1alpha1", debug: false, persist: true, machine, cluster };
  return [v1alpha1, ...docs].map((d) => orderAs(d, documentType(d)) as Document);
}

function registryDocuments(input: GenerateInput, multidoc: boolean, machine: Document): Document[] {
  const mirrors = input.registryMirrors ?? {};
  if (!multidoc) {
    const entries = Object.entries(mirrors);
    if (entries.length > 0) {
      machine.registries = {
        mirrors: Object.fromEntries(entries.map(([h, eps]) => [h, { endpoints: eps }])),
      };
    }
    return [];
  }
  return Object.keys(mirrors)
    .sort()
    .map((host) => ({
      apiVersion: "v1alpha1",
      kind: "RegistryMirrorConfig",
      name: host,
      endpoints: (mirrors[host] ?? []).map((url) => ({ url })),
    }));
}

function kubernetesUniversal(
  input: GenerateInput,
  cp: boolean,
  k8s: string,
  dnsDomain: string,
  podNets: string[],
  serviceNets: string[],
): Document[] {
  const b = input.secrets;
  const node: Document = { nodeIP: {} };
  if (cp) {
    node.labels = { [controlPlaneRole]: "", [excludeLB]: "" };
    if (!input.allowSchedulingOnControlPlanes) node.taints = { [controlPlaneRole]: "NoSchedule" };
  }
  const docs: Document[] = [
    {
      apiVersion: "v1alpha1",
      kind: "KubeClusterConfig",
      clusterName: input.clusterName,
      endpoint: input.endpoint,
    },
    { apiVersion: "v1alpha1", kind: "KubeNodeConfig", ...node },
    {
      apiVersion: "v1alpha1",
      kind: "KubeletConfig",
      image: `${kubeletImage}:v${k8s}`,
      config: {},
      defaultRuntimeSeccompProfileEnabled: true,
    },
    {
      apiVersion: "v1alpha1",
      kind: "KubeNetworkConfig",
      dnsDomain,
      podSubnets: podNets,
      serviceSubnets: serviceNets,
    },
    cp
      ? {
          apiVersion: "v1alpha1",
          kind: "KubeAPIServerCAConfig",
          issuingCA: { cert: pem(b.certs.k8s.crt), key: pem(b.certs.k8s.key) },
        }
      : { apiVersion: "v1alpha1", kind: "KubeAPIServerCAConfig", acceptedCAs: [pem(b.certs.k8s.crt)] },
  ];
  const port = input.kubePrismPort ?? 7445;
  if (port > 0) docs.push({ apiVersion: "v1alpha1", kind: "KubePrismConfig", port });
  return docs;
}

function kubernetesControlPlane(input: GenerateInput, k8s: string, certSANs: string[]): Document[] {
  const b = input.secrets;
  const doc = (kind: string, body: Document): Document => ({ apiVersion: "v1alpha1", kind, ...body });
  const providers: GoValue[] = [];
  if (b.secrets.secretboxencryptionsecret) {
    providers.push({ secretbox: { keys: [{ name: "key2", secret: b.secrets.secretboxencryptionsecret }] } });
  }
  if (b.secrets.aescbcencryptionsecret) {
    providers.push({ secretbox: { keys: [{ name: "key1", secret: b.secrets.aescbcencryptionsecret }] } });
  }
  const apiServer: Document = { image: `${apiServerImage}:v${k8s}` };
  if (input.localAPIServerPort) apiServer.apiPort = input.localAPIServerPort;
  if (certSANs.length > 0) apiServer.certExtraSANs = certSANs;
  const docs: Document[] = [
    doc("KubeAggregatorCAConfig", {
      issuingCA: { cert: pem(b.certs.k8saggregator.crt), key: pem(b.certs.k8saggregator.key) },
    }),
    doc("KubeAdmissionControlConfig", { name: "PodSecurity", configuration: podSecurityConfiguration() }),
    doc("KubeAuditPolicyConfig", { configuration: auditPolicy() }),
    doc("KubeAuthenticationConfig", {
      configuration: {
        anonymous: {
          conditions: [{ path: "/livez" }, { path: "/readyz" }, { path: "/healthz" }],
          enabled: true,
        },
        jwt: [],
      },
    }),
    doc("KubeAuthorizerConfig", { name: "node", type: "Node" }),
    doc("KubeAuthorizerConfig", { name: "rbac", type: "RBAC" }),
    doc("KubeEtcdEncryptionConfig", { config: { resources: [{ providers, resources: ["secrets"] }] } }),
    doc("KubeServiceAccountConfig", {
      issuer: { privateKey: pem(b.certs.k8sserviceaccount.key), issuerURL: input.endpoint },
    }),
    doc("KubeAPIServerConfig", apiServer),
    doc("KubeControllerManagerConfig", { image: `${controllerManagerImage}:v${k8s}` }),
    doc("KubeSchedulerConfig", { image: `${schedulerImage}:v${k8s}`, config: {} }),
    doc("KubeProxyConfig", { image: `${proxyImage}:v${k8s}`, config: {} }),
  ];
  if (!input.customCNIUrl)
    docs.push(doc("KubeFlannelCNIConfig", { backendType: "vxlan", backendPort: 4789 }));
  docs.push(doc("KubeCoreDNSConfig", { enabled: true }));
  if (input.customCNIUrl)
    docs.push(doc("KubeExternalManifestConfig", { name: "custom-cni", url: input.customCNIUrl }));
  return docs;
}
