/**
 * The Talos version contract: the major.minor of `talosVersion` selects the config format. Each predicate below
 * mirrors one of Talos's `VersionContract` methods (pkg/machinery/config/contract.go).
 */
export interface Contract {
  major: number;
  minor: number;
}

/** Oldest and newest contracts homeops generates (the newest is Talos main at the time of writing). */
export const oldestContract: Contract = { major: 1, minor: 3 };
export const newestContract: Contract = { major: 1, minor: 15 };

/** Parses `v1.12.3`, `1.12`, `v1.13.0-alpha.1`; undefined when it is not a version. */
export function parseContract(version: string): Contract | undefined {
  const m = /^v(\d+)\.(\d+)($|\.|-)/.exec(`v${version.replace(/^v/, "")}`);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function contractString(c: Contract): string {
  return `v${c.major}.${c.minor}`;
}

/** `contract >= major.minor`, i.e. Talos's `Greater(major.minor-1)`. */
export function contractAtLeast(c: Contract, major: number, minor: number): boolean {
  return c.major > major || (c.major === major && c.minor >= minor);
}

export function contractSupported(c: Contract): boolean {
  return contractAtLeast(c, oldestContract.major, oldestContract.minor) && !contractAtLeast(c, 1, 16);
}

/** Feature switches of one contract, named as Talos names them. */
export function features(c: Contract) {
  const ge = (minor: number) => contractAtLeast(c, 1, minor);
  return {
    podSecurityAdmission: ge(1),
    stableHostname: ge(2),
    kubeletSeccompDefault: ge(2),
    alternateImageRegistries: ge(2) && !ge(3),
    allowSchedulingOnControlPlanesField: ge(2),
    kubernetesDiscoveryBackendDisabled: ge(2),
    apidExtKeyUsageCheck: ge(3),
    auditPolicy: ge(3),
    kubeletManifestsDirectoryDisabled: ge(3),
    secretbox: ge(3),
    diskQuotaSupport: ge(5),
    kubePrism: ge(6),
    hostDNS: ge(7),
    rsaServiceAccountKey: ge(7),
    clusterNameForWorkers: ge(8),
    hostDNSForwardKubeDNSToHost: ge(8),
    excludeFromExternalLB: ge(8),
    volumeConfigEncryption: ge(11),
    multidocNetwork: ge(12),
    hideDisablePSP: ge(12),
    hideRBACAndKeyUsage: ge(12),
    populateClusterSANsFromEndpoint: !ge(12),
    grubUseUKICmdline: ge(12),
    kubeSpanMultidoc: ge(13),
    hostDNSMultidoc: ge(14),
    discoveryServiceMultidoc: ge(14),
    discoveryIdentityMultidoc: ge(14),
    unattendedInstall: ge(14),
    multidocKubernetes: ge(14),
    filesystemTrim: ge(14),
    workloadIsolation: ge(14),
    multidocSysctl: ge(14),
    multidocKernelModule: ge(14),
  };
}

export type Features = ReturnType<typeof features>;
