import { describe, expect, it } from "vitest";
import { applyPatches, loadPatch, PatchError } from "./patch.ts";

const base = () => [
  {
    version: "v1alpha1",
    machine: {
      type: "worker",
      certSANs: ["a"],
      network: { interfaces: [{ interface: "eth0", mtu: 1500, addresses: ["10.0.0.2/24"] }] },
    },
    cluster: {
      network: { podSubnets: ["10.244.0.0/16"] },
      apiServer: { admissionControl: [{ name: "PodSecurity", configuration: { a: 1 } }] },
    },
  },
];

describe("Talos strategic merge patches", () => {
  it("appends lists, replaces merge:replace lists, merges keyed lists, and deletes with $patch", () => {
    const out = applyPatches(base(), [
      loadPatch(
        [
          "machine:",
          "  certSANs: [b]",
          "  network:",
          "    interfaces:",
          "      - interface: eth0",
          "        mtu: 9000",
          "cluster:",
          "  network:",
          "    podSubnets: [10.42.0.0/16]",
          "  apiServer:",
          "    admissionControl:",
          "      - name: PodSecurity",
          "        $patch: delete",
        ].join("\n"),
      ),
    ]);
    expect(out[0]).toEqual({
      version: "v1alpha1",
      machine: {
        type: "worker",
        certSANs: ["a", "b"],
        network: { interfaces: [{ interface: "eth0", addresses: ["10.0.0.2/24"], mtu: 9000 }] },
      },
      cluster: { network: { podSubnets: ["10.42.0.0/16"] }, apiServer: { admissionControl: [] } },
    });
  });

  it("adds, merges and deletes documents by kind and name", () => {
    const docs = [...base(), { apiVersion: "v1alpha1", kind: "HostnameConfig", auto: "stable" }];
    const out = applyPatches(docs, [
      loadPatch(
        "apiVersion: v1alpha1\nkind: HostnameConfig\n$patch: delete\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth1\nmtu: 9000\n",
      ),
    ]);
    expect(out.map((d) => d.kind ?? "v1alpha1")).toEqual(["v1alpha1", "LinkConfig"]);
  });

  it("applies JSON 6902 to single-document configs only, with Talos's error otherwise", () => {
    const op = loadPatch('[{"op": "remove", "path": "/cluster/apiServer/admissionControl"}]');
    expect(op.type).toBe("json6902");
    expect(applyPatches(base(), [op])[0]?.cluster).toEqual({
      network: { podSubnets: ["10.244.0.0/16"] },
      apiServer: {},
    });
    const two = [...base(), { apiVersion: "v1alpha1", kind: "HostnameConfig", auto: "stable" }];
    expect(() => applyPatches(two, [op])).toThrow(PatchError);
    expect(() => applyPatches(two, [op])).toThrow(
      "JSON6902 patches are not supported for multi-document machine configuration",
    );
  });
});
