import { z } from "zod";

/**
 * talhelper's talconfig.yaml (budimanjojo/talhelper pkg/config/config.go), the single source of truth for
 * validation and for schemas/talconfig.schema.json. Talos-typed sub-objects (network interfaces, disk selectors,
 * volumes…) are passed to Talos documents as written and validated there, so they are open objects here.
 */
const talosObject = z.record(z.string(), z.unknown());
const stringMap = z.record(z.string(), z.string());

export const schematicSchema = z.strictObject({
  owner: z.string().optional(),
  overlay: z
    .strictObject({
      image: z.string().optional(),
      name: z.string().optional(),
      options: talosObject.optional(),
    })
    .optional(),
  customization: z
    .strictObject({
      embeddedMachineConfiguration: z.string().optional(),
      extraKernelArgs: z.array(z.string()).optional(),
      meta: z.array(z.strictObject({ key: z.number().int().min(0).max(255), value: z.string() })).optional(),
      systemExtensions: z.strictObject({ officialExtensions: z.array(z.string()).optional() }).optional(),
      bootloader: z.string().optional(),
      secureboot: z
        .strictObject({
          enrollKeys: z.string().optional(),
          includeWellKnownCertificates: z.boolean().optional(),
        })
        .optional(),
      diskImage: z.strictObject({ sectorSize: z.number().int().optional() }).optional(),
    })
    .optional(),
});

const machineSpec = z.strictObject({
  mode: z.string().optional().describe("platform of the installer image: metal (default), aws, …"),
  arch: z.enum(["amd64", "arm64"]).optional(),
  secureboot: z.boolean().optional(),
  useUKI: z.boolean().optional(),
  bootMethod: z.enum(["iso", "disk-image", "pxe"]).optional(),
  imageSuffix: z.string().optional(),
});

const kernelModule = z.strictObject({ name: z.string(), parameters: z.array(z.string()).optional() });

const machineFile = z.strictObject({
  content: z.string(),
  permissions: z.number().int().optional(),
  path: z.string(),
  op: z.enum(["create", "append", "overwrite"]),
  skipEnvsubst: z.boolean().optional(),
});

/** Keys valid on a node and on the controlPlane/worker groups. */
const nodeConfigShape = {
  installDisk: z
    .string()
    .optional()
    .describe("machine.install.disk (UnattendedInstallConfig from Talos 1.14)"),
  installDiskSelector: talosObject.optional(),
  ignoreHostname: z.boolean().optional(),
  nameservers: z.array(z.string()).optional(),
  disableSearchDomain: z.boolean().optional(),
  networkInterfaces: z.array(talosObject).optional(),
  kernelModules: z.array(kernelModule).optional(),
  nodeLabels: stringMap.optional(),
  nodeAnnotations: stringMap.optional(),
  nodeTaints: stringMap.optional(),
  machineDisks: z.array(talosObject).optional(),
  machineFiles: z.array(machineFile).optional(),
  volumes: z
    .array(talosObject)
    .optional()
    .describe("VolumeConfig documents, e.g. EPHEMERAL with LUKS2 encryption"),
  userVolumes: z.array(talosObject).optional(),
  extensionServices: z.array(talosObject).optional(),
  certSANs: z.array(z.string()).optional(),
  patches: z.array(z.string()).optional().describe("strategic merge or JSON 6902 patches, inline or @file"),
  talosImageURL: z.string().optional(),
  schematic: schematicSchema.optional(),
  machineSpec: machineSpec.optional(),
  overridePatches: z.boolean().optional(),
  overrideMachineCertSANs: z.boolean().optional(),
  overrideExtraManifests: z.boolean().optional(),
  extraManifests: z
    .array(z.string())
    .optional()
    .describe("deprecated: files of extra config documents (use patches)"),
  noSchematicValidate: z
    .boolean()
    .optional()
    .describe("accepted for talhelper compatibility (homeops does not check extensions)"),
  imageSchematic: schematicSchema
    .optional()
    .describe("schematic of boot images (talhelper genurl image); not used for configs"),
  ingressFirewall: z
    .strictObject({
      defaultAction: z.enum(["accept", "block"]).optional(),
      rules: z
        .array(z.strictObject({ name: z.string(), portSelector: talosObject, ingress: z.array(talosObject) }))
        .optional(),
    })
    .optional()
    .describe("NetworkDefaultActionConfig and one NetworkRuleConfig per rule"),
};

export const nodeConfigsSchema = z.strictObject(nodeConfigShape);

export const nodeSchema = z.strictObject({
  hostname: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i, "must be a DNS hostname")
    .max(255),
  ipAddress: z
    .string()
    .min(1)
    .describe("IP or hostname (comma-separated for several); used in talosconfig only"),
  controlPlane: z.boolean().optional(),
  ...nodeConfigShape,
});

export const talconfigSchema = z.strictObject({
  clusterName: z.string().min(1),
  endpoint: z
    .string()
    .regex(/^https:\/\/[^/\s]+\/?$/, "must be an https URL like https://10.0.0.10:6443")
    .describe("control-plane endpoint, e.g. https://10.0.0.10:6443"),
  talosVersion: z
    .string()
    .regex(/^v?\d+\.\d+(\.\d+)?(-[0-9A-Za-z.-]+)?$/)
    .optional(),
  kubernetesVersion: z.string().regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/),
  domain: z.string().optional(),
  allowSchedulingOnControlPlanes: z.boolean().optional(),
  allowSchedulingOnMasters: z.boolean().optional(),
  additionalApiServerCertSans: z.array(z.string()).optional(),
  additionalMachineCertSans: z.array(z.string()).optional(),
  clusterPodNets: z.array(z.string()).optional(),
  clusterSvcNets: z.array(z.string()).optional(),
  cniConfig: z
    .strictObject({
      name: z.enum(["flannel", "custom", "none"]),
      urls: z.array(z.string()).optional(),
      flannel: z
        .strictObject({
          extraArgs: z.array(z.string()).optional(),
          kubeNetworkPoliciesEnabled: z.boolean().optional(),
        })
        .optional(),
    })
    .optional(),
  inlineManifests: z
    .array(z.strictObject({ name: z.string(), contents: z.string(), skipEnvsubst: z.boolean().optional() }))
    .optional(),
  patches: z.array(z.string()).optional().describe("global patches, applied after group and node patches"),
  imageFactory: z
    .strictObject({
      registryURL: z.string().optional(),
      schematicEndpoint: z.string().optional(),
      protocol: z.string().optional(),
      installerURLTmpl: z.string().optional(),
      ISOURLTmpl: z.string().optional(),
    })
    .optional(),
  controlPlane: nodeConfigsSchema.optional(),
  worker: nodeConfigsSchema.optional(),
  nodes: z.array(nodeSchema).min(1),
  filenameTmpl: z
    .string()
    .optional()
    .describe("output file name; default {{.ClusterName}}-{{.Hostname}}.yaml"),
});

export type Talconfig = z.infer<typeof talconfigSchema>;
export type TalNode = z.infer<typeof nodeSchema>;
export type TalNodeConfigs = z.infer<typeof nodeConfigsSchema>;

/** The JSON Schema committed as schemas/talconfig.schema.json (editors: `# yaml-language-server: $schema=…`). */
export function talconfigJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(talconfigSchema, { target: "draft-2020-12" }),
    $id: "https://github.com/homeops/homeops/schemas/talconfig.schema.json",
    title: "talhelper talconfig.yaml (as homeops reads it)",
  };
}
