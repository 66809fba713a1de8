import { createPublicKey, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generateAgeKey } from "../sops/keys.ts";
import { planGensecret, writePlannedFiles } from "./commands.ts";
import { caValidityMs, pem, type SecretsBundle } from "./secrets.ts";
import { readSecretsBundle } from "./secrets-file.ts";
import { planTalconfig } from "./talconfig.ts";

const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), "homeops-gensecret-"));
const talconfig = fs.readFileSync(
  path.join(import.meta.dirname, "testdata", "cluster", "talconfig.yaml"),
  "utf8",
);
const talenv = fs.readFileSync(path.join(import.meta.dirname, "testdata", "cluster", "talenv.yaml"), "utf8");

function copyCluster(dir: string) {
  fs.writeFileSync(path.join(dir, "talconfig.yaml"), talconfig);
  fs.writeFileSync(path.join(dir, "talenv.yaml"), talenv);
  fs.mkdirSync(path.join(dir, "patches"));
  for (const f of ["global.yaml", "cp-2.yaml"]) {
    fs.copyFileSync(
      path.join(import.meta.dirname, "testdata", "cluster", "patches", f),
      path.join(dir, "patches", f),
    );
  }
}

function checkCA(
  b64: string,
  keyB64: string,
  org: string | undefined,
  keyType: "ec" | "ed25519",
  now: number,
) {
  const cert = new X509Certificate(pem(b64));
  expect(cert.ca).toBe(true);
  expect(cert.subject ?? "").toBe(org ? `O=${org}` : "");
  expect(cert.checkIssued(cert)).toBe(true);
  expect(cert.verify(cert.publicKey)).toBe(true);
  expect(cert.publicKey.asymmetricKeyType).toBe(keyType);
  if (keyType === "ec") expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
  expect(Math.abs(Date.parse(cert.validFrom) - now)).toBeLessThan(60_000);
  expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBe(caValidityMs);
  const key = pem(keyB64);
  expect(key).toContain(keyType === "ec" ? "BEGIN EC PRIVATE KEY" : "BEGIN ED25519 PRIVATE KEY");
  // The key belongs to the certificate.
  const pub = createPublicKey(key.replace(/ED25519 PRIVATE KEY/g, "PRIVATE KEY"));
  expect(pub.export({ type: "spki", format: "der" })).toEqual(
    cert.publicKey.export({ type: "spki", format: "der" }),
  );
  return cert;
}

describe("homeops talos gensecret", () => {
  it("round-trips through genconfig; CAs and the admin certificate verify with the right keys and validity", async () => {
    const dir = scratch();
    copyCluster(dir);
    const file = path.join(dir, "talsecret.sops.yaml");
    const now = Date.now();
    const plan = await planGensecret(file);
    expect(plan.diagnostics.map((d) => d.code)).toEqual(["TAL014"]); // no .sops.yaml here: plaintext, warned
    writePlannedFiles([{ file, content: plan.plan?.content ?? "", mode: 0o600 }]);
    const bundle = parse(fs.readFileSync(file, "utf8")) as SecretsBundle;
    checkCA(bundle.certs.etcd.crt, bundle.certs.etcd.key, "etcd", "ec", now);
    checkCA(bundle.certs.k8s.crt, bundle.certs.k8s.key, "kubernetes", "ec", now);
    checkCA(bundle.certs.k8saggregator.crt, bundle.certs.k8saggregator.key, undefined, "ec", now);
    const osCA = checkCA(bundle.certs.os.crt, bundle.certs.os.key, "talos", "ed25519", now);
    const sa = createPublicKey(pem(bundle.certs.k8sserviceaccount.key));
    expect(pem(bundle.certs.k8sserviceaccount.key)).toContain("BEGIN RSA PRIVATE KEY");
    expect(sa.asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(bundle.secrets.bootstraptoken).toMatch(/^[0-9a-z]{6}\.[0-9a-z]{16}$/);
    expect(bundle.trustdinfo.token).toMatch(/^[0-9a-z]{6}\.[0-9a-z]{16}$/);
    expect(Buffer.from(bundle.cluster.id, "base64")).toHaveLength(32);
    expect(Buffer.from(bundle.secrets.secretboxencryptionsecret ?? "", "base64")).toHaveLength(32);

    const r = await planTalconfig({
      configFile: path.join(dir, "talconfig.yaml"),
      outDir: path.join(dir, "out"),
    });
    expect(r.diagnostics).toEqual([]);
    const cp = r.files.find((f) => f.file.endsWith("home-cp-1.yaml"))?.content ?? "";
    expect(cp).toContain(`token: ${bundle.trustdinfo.token}`);
    expect(cp).toContain(pem(bundle.certs.k8s.crt).split("\n")[1]);
    const tc = parse(r.files.find((f) => f.file.endsWith("talosconfig"))?.content ?? "");
    const admin = new X509Certificate(Buffer.from(tc.contexts.home.crt, "base64").toString());
    expect(admin.checkIssued(osCA)).toBe(true);
    expect(admin.verify(osCA.publicKey)).toBe(true);
    expect(admin.subject).toBe("O=os:admin");
    expect(admin.ca).toBe(false);
    expect(admin.publicKey.asymmetricKeyType).toBe("ed25519");
    expect(admin.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(Date.parse(admin.validTo) - Date.parse(admin.validFrom)).toBe(365 * 24 * 3600 * 1000);
    const adminKey = createPublicKey(
      Buffer.from(tc.contexts.home.key, "base64")
        .toString()
        .replace(/ED25519 PRIVATE KEY/g, "PRIVATE KEY"),
    );
    expect(adminKey.export({ type: "spki", format: "der" })).toEqual(
      admin.publicKey.export({ type: "spki", format: "der" }),
    );
  });

  it("a second gensecret without --force refuses (TAL017) and leaves the bundle alone", async () => {
    const dir = scratch();
    const file = path.join(dir, "talsecret.sops.yaml");
    fs.writeFileSync(file, "existing\n");
    const r = await planGensecret(file);
    expect(r.plan).toBeUndefined();
    expect(r.diagnostics).toMatchObject([{ code: "TAL017", severity: "error" }]);
    const forced = await planGensecret(file, { force: true });
    expect(forced.plan?.content).toContain("bootstraptoken:");
    expect(fs.readFileSync(file, "utf8")).toBe("existing\n");
  });

  it("uses the Talos version's key types (ECDSA service-account key up to 1.6, URL-safe cluster id up to 1.13)", async () => {
    const r = await planGensecret(path.join(scratch(), "s.yaml"), { talosVersion: "v1.6.7" });
    const b = parse(r.plan?.content ?? "") as SecretsBundle;
    expect(pem(b.certs.k8sserviceaccount.key)).toContain("BEGIN EC PRIVATE KEY");
    expect(b.cluster.id).toMatch(/^[A-Za-z0-9_-]{43}=$/);
  });

  it("is written SOPS-encrypted when .sops.yaml has a rule for it, and read back with the age key", async () => {
    const dir = scratch();
    const key = await generateAgeKey();
    fs.writeFileSync(
      path.join(dir, ".sops.yaml"),
      `creation_rules:\n  - path_regex: talsecret\\.sops\\.yaml$\n    age: ${key.recipient}\n`,
    );
    fs.writeFileSync(path.join(dir, "keys.txt"), key.text);
    const file = path.join(dir, "talsecret.sops.yaml");
    const r = await planGensecret(file);
    expect(r.diagnostics).toEqual([]);
    expect(r.plan?.encrypted).toBe(true);
    expect(r.plan?.content).toMatch(/bootstraptoken: ENC\[AES256_GCM,/);
    writePlannedFiles([{ file, content: r.plan?.content ?? "", mode: 0o600 }]);
    const read = await readSecretsBundle(file, { ageKeyFile: path.join(dir, "keys.txt") });
    expect(read.diagnostics).toEqual([]);
    expect(read.bundle?.secrets.bootstraptoken).toMatch(/^[0-9a-z]{6}\.[0-9a-z]{16}$/);
    // Without the key: an error that says how to get it back (TAL011), never a new bundle.
    const empty = path.join(dir, "none.txt");
    fs.writeFileSync(empty, "");
    const denied = await readSecretsBundle(file, { ageKeyFile: empty });
    expect(denied.bundle).toBeUndefined();
    expect(denied.diagnostics).toMatchObject([{ code: "TAL011", severity: "error" }]);
  });

  it("TAL015: a .sops.yaml rule with only non-age keys; TAL016: an unsupported --talos-version", async () => {
    const dir = scratch();
    fs.writeFileSync(
      path.join(dir, ".sops.yaml"),
      "creation_rules:\n  - pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n",
    );
    const r = await planGensecret(path.join(dir, "talsecret.sops.yaml"));
    expect(r.diagnostics).toMatchObject([{ code: "TAL015", severity: "error" }]);
    const v = await planGensecret(path.join(dir, "other.yaml"), { talosVersion: "v2.0" });
    expect(v.diagnostics).toMatchObject([{ code: "TAL016", severity: "error" }]);
  });

  it("TAL012: a bundle with unknown or missing fields is rejected", async () => {
    const dir = scratch();
    const file = path.join(dir, "talsecret.yaml");
    fs.writeFileSync(file, "cluster:\n  id: x\n  extra: y\n");
    const r = await readSecretsBundle(file);
    expect(r.bundle).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toContain("TAL012");
    expect(r.diagnostics.map((d) => d.message).join("\n")).toContain("cluster.extra unknown field extra");
  });
});
