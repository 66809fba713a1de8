import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { parseDocument } from "yaml";
import { type Contract, contractAtLeast } from "./contract.ts";
import { encodeGoYaml, type GoValue } from "./go-yaml.ts";
import { newEcdsaKeyPem, newRsaKeyPem, newSelfSignedCA } from "./pki.ts";

/** A PEM certificate and its key, each stored as base64 of the PEM text (Talos's bundle format). */
export interface CertAndKey {
  crt: string;
  key: string;
}

/** The Talos secrets bundle (`talosctl gen secrets`, talhelper's `talsecret.yaml`). */
export interface SecretsBundle {
  cluster: { id: string; secret: string };
  secrets: { bootstraptoken: string; aescbcencryptionsecret?: string; secretboxencryptionsecret?: string };
  trustdinfo: { token: string };
  certs: {
    etcd: CertAndKey;
    k8s: CertAndKey;
    k8saggregator: CertAndKey;
    k8sserviceaccount: { key: string };
    os: CertAndKey;
  };
}

/** CAs are valid for 87600h, as Talos's CAValidityTime. */
export const caValidityMs = 87600 * 3600 * 1000;

const tokenChars = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A kubeadm-style token `[0-9a-z]{6}.[0-9a-z]{16}`: uniform by rejecting bytes >= 252, as Talos does. */
export function newToken(): string {
  const pick = (n: number) => {
    let s = "";
    while (s.length < n) {
      for (const b of randomBytes(n * 2)) {
        if (b < 252 && s.length < n) s += tokenChars[b % 36];
      }
    }
    return s;
  };
  return `${pick(6)}.${pick(16)}`;
}

const b64 = (pem: string) => Buffer.from(pem, "utf8").toString("base64");

/**
 * Generates a new bundle for a version contract, like `secrets.NewBundle`: ECDSA P-256 etcd, Kubernetes and
 * aggregator CAs, an Ed25519 Talos CA, an RSA-4096 service-account key (ECDSA up to 1.6), secretbox encryption
 * (AES-CBC up to 1.2). The cluster id is URL-safe base64 up to 1.13 and standard base64 from 1.14.
 */
export async function newSecretsBundle(contract: Contract, now: Date = new Date()): Promise<SecretsBundle> {
  const notAfter = new Date(now.getTime() + caValidityMs);
  const randomSki = contractAtLeast(contract, 1, 12);
  const [etcd, k8s, aggregator, os] = await Promise.all([
    newSelfSignedCA({ organization: "etcd", key: "ecdsa", notBefore: now, notAfter, randomSki }),
    newSelfSignedCA({ organization: "kubernetes", key: "ecdsa", notBefore: now, notAfter, randomSki }),
    newSelfSignedCA({ key: "ecdsa", notBefore: now, notAfter, randomSki }),
    newSelfSignedCA({ organization: "talos", key: "ed25519", notBefore: now, notAfter, randomSki }),
  ]);
  const saKey = contractAtLeast(contract, 1, 7) ? newRsaKeyPem(4096) : newEcdsaKeyPem();
  const id = randomBytes(32);
  const encryption = randomBytes(32).toString("base64");
  return {
    cluster: {
      id: contractAtLeast(contract, 1, 14) ? id.toString("base64") : id.toString("base64url").padEnd(44, "="),
      secret: randomBytes(32).toString("base64"),
    },
    secrets: {
      bootstraptoken: newToken(),
      ...(contractAtLeast(contract, 1, 3)
        ? { secretboxencryptionsecret: encryption }
        : { aescbcencryptionsecret: encryption }),
    },
    trustdinfo: { token: newToken() },
    certs: {
      etcd: { crt: b64(etcd.crtPem), key: b64(etcd.keyPem) },
      k8s: { crt: b64(k8s.crtPem), key: b64(k8s.keyPem) },
      k8saggregator: { crt: b64(aggregator.crtPem), key: b64(aggregator.keyPem) },
      k8sserviceaccount: { key: b64(saKey) },
      os: { crt: b64(os.crtPem), key: b64(os.keyPem) },
    },
  };
}

/** The bundle as `talosctl gen secrets` writes it (go-yaml, 4-space indent, lower-cased field names). */
export function encodeSecretsBundle(bundle: SecretsBundle): string {
  const secrets: Record<string, GoValue> = { bootstraptoken: bundle.secrets.bootstraptoken };
  if (bundle.secrets.aescbcencryptionsecret)
    secrets.aescbcencryptionsecret = bundle.secrets.aescbcencryptionsecret;
  if (bundle.secrets.secretboxencryptionsecret) {
    secrets.secretboxencryptionsecret = bundle.secrets.secretboxencryptionsecret;
  }
  const c = bundle.certs;
  return encodeGoYaml({
    cluster: { id: bundle.cluster.id, secret: bundle.cluster.secret },
    secrets,
    trustdinfo: { token: bundle.trustdinfo.token },
    certs: {
      etcd: { crt: c.etcd.crt, key: c.etcd.key },
      k8s: { crt: c.k8s.crt, key: c.k8s.key },
      k8saggregator: { crt: c.k8saggregator.crt, key: c.k8saggregator.key },
      k8sserviceaccount: { key: c.k8sserviceaccount.key },
      os: { crt: c.os.crt, key: c.os.key },
    },
  });
}

/** One problem in a bundle, with the dotted path of the field. */
export interface BundleProblem {
  path: string;
  message: string;
}

const allowed: Record<string, string[]> = {
  "": ["cluster", "secrets", "trustdinfo", "certs"],
  cluster: ["id", "secret"],
  secrets: ["bootstraptoken", "aescbcencryptionsecret", "secretboxencryptionsecret"],
  trustdinfo: ["token"],
  certs: ["etcd", "k8s", "k8saggregator", "k8sserviceaccount", "os"],
  "certs.etcd": ["crt", "key"],
  "certs.k8s": ["crt", "key"],
  "certs.k8saggregator": ["crt", "key"],
  "certs.k8sserviceaccount": ["key"],
  "certs.os": ["crt", "key"],
};

const required = [
  "cluster.id",
  "cluster.secret",
  "secrets.bootstraptoken",
  "trustdinfo.token",
  "certs.etcd.crt",
  "certs.etcd.key",
  "certs.k8s.crt",
  "certs.k8s.key",
  "certs.k8saggregator.crt",
  "certs.k8saggregator.key",
  "certs.k8sserviceaccount.key",
  "certs.os.crt",
  "certs.os.key",
];

/**
 * Reads a plaintext bundle strictly (unknown fields are errors, as talhelper decodes with KnownFields): returns the
 * bundle or the problems found, never a partial bundle.
 */
export function parseSecretsBundle(text: string): { bundle?: SecretsBundle; problems: BundleProblem[] } {
  const problems: BundleProblem[] = [];
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { problems: doc.errors.map((e) => ({ path: "", message: e.message })) };
  const data: unknown = doc.toJS();
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { problems: [{ path: "", message: "a secrets bundle is a mapping" }] };
  }
  const walk = (node: unknown, path: string) => {
    const keys = allowed[path];
    if (keys === undefined) return;
    if (typeof node !== "object" || node === null || Array.isArray(node)) {
      problems.push({ path, message: "must be a mapping" });
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      const child = path === "" ? k : `${path}.${k}`;
      if (!keys.includes(k)) problems.push({ path: child, message: `unknown field ${k}` });
      else walk(v, child);
    }
  };
  walk(data, "");
  for (const p of required) {
    const v = get(data, p);
    if (typeof v !== "string" || v === "") problems.push({ path: p, message: "is required" });
  }
  const secrets = get(data, "secrets") as Record<string, unknown> | undefined;
  if (secrets && !secrets.aescbcencryptionsecret && !secrets.secretboxencryptionsecret) {
    problems.push({ path: "secrets", message: "needs secretboxencryptionsecret or aescbcencryptionsecret" });
  }
  for (const p of required.filter((r) => r.startsWith("certs."))) {
    const v = get(data, p);
    if (typeof v === "string" && !Buffer.from(v, "base64").toString("utf8").includes("-----BEGIN ")) {
      problems.push({ path: p, message: "is not base64 of a PEM block" });
    }
  }
  if (problems.length > 0) return { problems };
  return { bundle: data as SecretsBundle, problems };
}

function get(data: unknown, path: string): unknown {
  let node = data;
  for (const part of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** PEM text of a bundle field. */
export function pem(b64value: string): string {
  return Buffer.from(b64value, "base64").toString("utf8");
}
