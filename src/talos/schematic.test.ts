import { describe, expect, it } from "vitest";
import { canonicalSchematic, installerImage, schematicId } from "./schematic.ts";

// Vectors from image-factory's and talhelper's own tests (checked with sha256sum of the canonical YAML).
const vectors: [Parameters<typeof schematicId>[0], string, string][] = [
  [{}, "customization: {}\n", "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"],
  [
    { customization: { extraKernelArgs: ["noapic", "nolapic"] } },
    "customization:\n    extraKernelArgs:\n        - noapic\n        - nolapic\n",
    "9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c",
  ],
  [
    { customization: { meta: [{ key: 10, value: "foo" }] } },
    "customization:\n    meta:\n        - key: 10\n          value: foo\n",
    "d308a2a5ee2277bed5fbaa104fcbc8d59122abfa737df987a95b4ca763459a7f",
  ],
  [
    { customization: { secureboot: { includeWellKnownCertificates: true } } },
    "customization:\n    secureboot:\n        includeWellKnownCertificates: true\n",
    "fa8e05f142a851d3ee568eb0a8e5841eaf6b0ebc8df9a63df16ac5ed2c04f3e6",
  ],
  [
    { customization: { diskImage: { sectorSize: 4096 } } },
    "customization:\n    diskImage:\n        sectorSize: 4096\n",
    "92833e9ddd9bb9e11b2464fa5525429f01866306d52ebd882ee08d7918f6d1ea",
  ],
  [
    { overlay: { image: "siderolabs/sbc-raspberrypi", name: "rpi_generic" } },
    "overlay:\n    image: siderolabs/sbc-raspberrypi\n    name: rpi_generic\ncustomization: {}\n",
    "ee21ef4a5ef808a9b7484cc0dda0f25075021691c8c09a276591eedb638ea1f9",
  ],
  [
    { customization: { systemExtensions: { officialExtensions: ["siderolabs/drbd", "siderolabs/zfs"] } } },
    "customization:\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/drbd\n            - siderolabs/zfs\n",
    "98442b5bb4e8d050f30978ce3e6ec22e7bf534d57cafcd51313235128057e612",
  ],
  [
    {
      customization: {
        systemExtensions: { officialExtensions: ["siderolabs/intel-ucode"] },
        extraKernelArgs: ["net.ifnames=0"],
      },
    },
    "customization:\n    extraKernelArgs:\n        - net.ifnames=0\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/intel-ucode\n",
    "9e8cc193609699825d61c039c7738d81cf29c7b20f2a91d8f5c540511b9ea0b4",
  ],
];

describe("Image Factory schematic ids", () => {
  for (const [schematic, yaml, id] of vectors) {
    it(id.slice(0, 12), () => {
      expect(canonicalSchematic(schematic)).toBe(yaml);
      expect(schematicId(schematic)).toBe(id);
    });
  }

  it("installer URLs use talhelper's unified form", () => {
    expect(installerImage({}, { talosVersion: "v1.11.2" })).toBe(
      "factory.talos.dev/metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.11.2",
    );
    expect(
      installerImage(
        {},
        { talosVersion: "v1.11.2", mode: "aws", secureboot: true, registryURL: "f.example" },
      ),
    ).toBe(
      "f.example/aws-installer-secureboot/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.11.2",
    );
  });
});
