import { createHash } from "node:crypto";
import type { z } from "zod";
import { encodeGoYaml, type GoValue } from "./go-yaml.ts";
import type { schematicSchema } from "./talconfig-schema.ts";

/** An Image Factory schematic (siderolabs/image-factory pkg/schematic), as talconfig.yaml writes it. */
export type Schematic = z.infer<typeof schematicSchema>;

type Obj = { [k: string]: GoValue };

/** Keeps the listed fields in struct order, dropping empty ones (`omitempty`). */
function pick(src: Record<string, unknown> | undefined, order: string[]): Obj {
  const out: Obj = {};
  if (!src) return out;
  for (const k of order) {
    const v = src[k];
    if (v === undefined || v === null || v === "" || v === false || v === 0) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v as GoValue;
  }
  return out;
}

/** The canonical YAML the factory hashes: go-yaml, 4-space indent, struct order, omitempty (customization always). */
export function canonicalSchematic(s: Schematic): string {
  const doc: Obj = {};
  if (s.owner) doc.owner = s.owner;
  if (s.overlay && (s.overlay.image || s.overlay.name || s.overlay.options)) {
    const overlay = pick(s.overlay, ["image", "name"]);
    if (s.overlay.options && Object.keys(s.overlay.options).length > 0)
      overlay.options = s.overlay.options as GoValue;
    doc.overlay = overlay;
  }
  const c = s.customization ?? {};
  const custom = pick(c, ["embeddedMachineConfiguration", "extraKernelArgs"]);
  if (c.meta?.length) custom.meta = c.meta.map((m) => ({ key: m.key, value: m.value }));
  const ext = pick(c.systemExtensions, ["officialExtensions"]);
  if (Object.keys(ext).length > 0) custom.systemExtensions = ext;
  if (c.bootloader) custom.bootloader = c.bootloader;
  const sb = pick(c.secureboot, ["enrollKeys", "includeWellKnownCertificates"]);
  if (Object.keys(sb).length > 0) custom.secureboot = sb;
  const disk = pick(c.diskImage, ["sectorSize"]);
  if (Object.keys(disk).length > 0) custom.diskImage = disk;
  doc.customization = custom;
  return encodeGoYaml(doc, 4);
}

/** The schematic id: sha256 of the canonical YAML, as the factory (and talhelper --offline-mode) computes it. */
export function schematicId(s: Schematic): string {
  return createHash("sha256").update(canonicalSchematic(s)).digest("hex");
}

export interface InstallerOptions {
  registryURL?: string;
  mode?: string;
  secureboot?: boolean;
  talosVersion: string;
}

/** talhelper's default installer URL: `<registry>/<mode>-installer[-secureboot]/<id>:<version>`. */
export function installerImage(s: Schematic, o: InstallerOptions): string {
  const registry = o.registryURL ?? "factory.talos.dev";
  return `${registry}/${o.mode ?? "metal"}-installer${o.secureboot ? "-secureboot" : ""}/${schematicId(s)}:${o.talosVersion}`;
}
