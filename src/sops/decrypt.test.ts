import { createCipheriv, createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadYaml } from "../core/yaml/load.ts";
import { getPath, isMap, type Value } from "../core/yaml/value.ts";
import { parseAgeIdentities, unwrapAgeStanza } from "./age.ts";
import {
  decryptSops,
  decryptSopsDotenv,
  decryptValue,
  decryptWithDataKey,
  goFormatFloat,
  isSopsEncrypted,
  readSopsMetadata,
} from "./decrypt.ts";

// Public test vectors copied from fluxcd/kustomize-controller (see /work/shared/sops-vectors/README.md).
const vectors = path.resolve(
  import.meta.dirname,
  "../../../shared/sops-vectors/kustomize-controller/internal",
);
const sopsDir = path.join(vectors, "controller/testdata/sops");
const present = fs.existsSync(sopsDir);
if (!present) console.log(`skipping SOPS vector tests: ${sopsDir} is absent`);

function keys(file: string): string[] {
  const r = parseAgeIdentities(fs.readFileSync(path.join(sopsDir, "keys", file), "utf8"));
  expect(r.errors).toEqual([]);
  return r.identities;
}

function load(rel: string): Value {
  const r = loadYaml(fs.readFileSync(path.join(sopsDir, rel), "utf8"), rel);
  expect(r.diagnostics).toEqual([]);
  expect(r.docs).toHaveLength(1);
  return r.docs[0]?.value as Value;
}

/** Every age-encrypted YAML/JSON file of the vectors, with its key and what its data decrypts to. */
const cases: { file: string; key: string; data: Record<string, string> }[] = [
  { file: "algorithms/age.yaml", key: "age.txt", data: { key: "value" } },
  { file: "algorithms/age-pq.yaml", key: "age-pq.txt", data: { key: "value" } },
  { file: "global/secret.yaml", key: "age-global.txt", data: { key: "global-value" } },
  { file: "patches/merge1.yaml", key: "age.txt", data: { key: "merge1" } },
  { file: "patches/merge2.yaml", key: "age.txt", data: { merge2: "merge2" } },
];

describe.skipIf(!present)("SOPS vectors (kustomize-controller)", () => {
  for (const c of cases) {
    it(`decrypts ${c.file} with a verified MAC`, async () => {
      const doc = load(c.file);
      expect(isSopsEncrypted(doc)).toBe(true);
      const r = await decryptSops(doc, { identities: keys(c.key) });
      if (!r.ok) throw new Error(`${r.code}: ${r.error}`);
      expect(getPath(r.value, ["stringData"])).toEqual(c.data);
      expect(isMap(r.value) && Object.hasOwn(r.value, "sops")).toBe(false);
      expect(getPath(r.value, ["kind"])).toBe("Secret");
    });
  }

  it("decrypts the binary-store JSON envelope (files/file.txt)", async () => {
    const r = await decryptSops(load("files/file.txt"), { identities: keys("age.txt") });
    if (!r.ok) throw new Error(`${r.code}: ${r.error}`);
    expect(Object.keys(r.value as object)).toEqual(["data"]);
    expect(getPath(r.value, ["data"])).toBe("value");
  });

  for (const env of ["envs/env.env", "component/env.env", "remote/env.env"]) {
    it(`decrypts the dotenv file ${env}`, async () => {
      const r = await decryptSopsDotenv(fs.readFileSync(path.join(sopsDir, env), "utf8"), {
        identities: keys("age.txt"),
      });
      if (!r.ok) throw new Error(`${r.code}: ${r.error}`);
      expect(r.value).toEqual({ key: "value" });
    });
  }

  it("unwraps the documented data key", async () => {
    const md = readSopsMetadata(load("algorithms/age.yaml"));
    if (!md.ok) throw new Error(md.error);
    const k = await unwrapAgeStanza(md.metadata.ageEncs[0] as string, keys("age.txt"));
    if (!k.ok) throw new Error(k.error);
    expect(Buffer.from(k.key).toString("hex")).toBe(
      "558e95c88337865c839703a4e892c03eed324ae6bbcb65c2989558e1a55825bb",
    );
    const mac = decryptValue(md.metadata.mac, k.key, md.metadata.lastModified);
    expect(mac).toMatchObject({
      ok: true,
      text: "5E6C78D06EF2D302C2DBC6DE95E8050A5DC5D24A5EE3F394BEC133BC432257EAD15A476AE609FE74379E7120853F13A1B080772BE5F162AD6945A25113B48862",
    });
  });

  it("fails on a tampered encrypted value (AES-GCM authentication)", async () => {
    const doc = load("algorithms/age.yaml");
    const sd = getPath(doc, ["stringData"]);
    if (!isMap(sd) || typeof sd.key !== "string") throw new Error("fixture changed");
    sd.key = sd.key.replace(/data:([^,])/, (_, ch: string) => `data:${ch === "A" ? "B" : "A"}`);
    const r = await decryptSops(doc, { identities: keys("age.txt") });
    expect(r).toMatchObject({ ok: false, code: "auth-failed" });
  });

  it("fails on a tampered or moved value (AAD) and on a changed plaintext value (MAC)", async () => {
    const moved = load("patches/merge2.yaml");
    const sd = getPath(moved, ["stringData"]);
    if (!isMap(sd)) throw new Error("fixture changed");
    sd.other = sd.merge2 as Value;
    delete sd.merge2;
    expect(await decryptSops(moved, { identities: keys("age.txt") })).toMatchObject({
      ok: false,
      code: "auth-failed",
    });

    const renamed = load("patches/merge2.yaml");
    const meta = getPath(renamed, ["metadata"]);
    if (!isMap(meta)) throw new Error("fixture changed");
    meta.name = "evil";
    const r = await decryptSops(renamed, { identities: keys("age.txt") });
    expect(r).toMatchObject({ ok: false, code: "mac-mismatch" });
    expect(await decryptSops(renamed, { identities: keys("age.txt"), ignoreMac: true })).toMatchObject({
      ok: true,
    });
  });

  it("fails clearly with a wrong key or no key", async () => {
    const doc = load("algorithms/age.yaml");
    const wrong = await decryptSops(doc, { identities: keys("age-global.txt") });
    expect(wrong).toMatchObject({ ok: false, code: "no-matching-identity" });
    expect(await decryptSops(doc, { identities: [] })).toMatchObject({ ok: false, code: "no-identity" });
  });

  it("reports files encrypted for other key types only", async () => {
    const r = await decryptSops(load("algorithms/pgp.yaml"), { identities: keys("age.txt") });
    expect(r).toMatchObject({ ok: false, code: "no-age-recipient" });
    if (!r.ok) expect(r.error).toContain("pgp");
  });
});

describe("sops value format", () => {
  // aes/cipher_test.go TestDecrypt in getsops/sops.
  const key = Buffer.from("f".repeat(32));
  const enc =
    "ENC[AES256_GCM,data:oYyi,iv:MyIDYbT718JRr11QtBkcj3Dwm4k1aCGZBVeZf0EyV8o=,tag:t5z2Z023Up0kxwCgw1gNxg==,type:str]";

  it("decrypts with the path AAD and rejects any other", () => {
    expect(decryptValue(enc, key, "bar:")).toEqual({ ok: true, text: "foo", type: "str" });
    expect(decryptValue(enc, key, "")).toMatchObject({ ok: false, code: "auth-failed" });
    expect(decryptValue("plain", key, "bar:")).toMatchObject({ ok: false, code: "bad-value" });
  });

  it("computes the MAC over typed values, honouring mac_only_encrypted", () => {
    const secret = encryptValue("s3cr3t", key, "x:");
    const body = "a: 1.0\nb: true\nc: 1e21\nd: null\n";
    const plainMac = sha512hex("1True1000000000000000000000s3cr3t");
    const onlyMac = sha512hex(
      Buffer.concat([createHash("sha256").update("sops").digest(), Buffer.from("s3cr3t")]),
    );
    for (const [extra, mac] of [
      ["", plainMac],
      ["  mac_only_encrypted: true\n", onlyMac],
    ] as const) {
      const text = `${body}x: ${secret}\nsops:\n  lastmodified: "2021-01-01T00:00:00+00:00"\n  mac: ${encryptValue(mac, key, "2021-01-01T00:00:00Z")}\n  encrypted_regex: ^x$\n${extra}`;
      const doc = loadYaml(text, "t.yaml").docs[0]?.value as Value;
      const md = readSopsMetadata(doc);
      if (!md.ok) throw new Error(md.error);
      const r = decryptWithDataKey([doc], key, md.metadata);
      expect(r).toMatchObject({ ok: true, values: [{ a: 1, b: true, x: "s3cr3t" }] });
    }
  });

  it("formats floats like Go's FormatFloat 'f' -1", () => {
    expect(goFormatFloat(1)).toBe("1");
    expect(goFormatFloat(1e21)).toBe("1000000000000000000000");
    expect(goFormatFloat(1.5e-7)).toBe("0.00000015");
    expect(goFormatFloat(1.234568e9)).toBe("1234568000");
    expect(goFormatFloat(-Infinity)).toBe("-Inf");
  });

  it("reads age key files", () => {
    const r = parseAgeIdentities(
      "# created: x\n\nAGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM\r\nnope\n",
    );
    expect(r.identities).toEqual([
      "AGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM",
    ]);
    expect(r.errors).toEqual(["line 4: unknown identity type"]);
  });
});

const sha512hex = (b: string | Buffer): string => createHash("sha512").update(b).digest("hex").toUpperCase();

/** sops' encryption of a string value, to build small fixtures. */
function encryptValue(text: string, key: Uint8Array, aad: string): string {
  const iv = randomBytes(32);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(Buffer.from(aad));
  const data = Buffer.concat([c.update(text, "utf8"), c.final()]);
  return `ENC[AES256_GCM,data:${data.toString("base64")},iv:${iv.toString("base64")},tag:${c.getAuthTag().toString("base64")},type:str]`;
}
