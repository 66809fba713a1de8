import { Buffer } from "node:buffer";
import { createPrivateKey, generateKeyPairSync, randomBytes, webcrypto } from "node:crypto";
import type * as X509 from "@peculiar/x509";
import { x509 } from "./x509.ts";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ecdsa = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const ed25519 = { name: "Ed25519" } as const;

export interface PemPair {
  crtPem: string;
  keyPem: string;
}

/** A serial below 2^127: random like Go's, and always a positive DER integer. */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString("hex");
}

/** Talos's private-key PEM labels: SEC1 `EC PRIVATE KEY`, PKCS#8 bytes under `ED25519 PRIVATE KEY`. */
async function exportKey(key: CryptoKey, kind: "ecdsa" | "ed25519"): Promise<string> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key as webcrypto.CryptoKey));
  if (kind === "ecdsa") {
    return createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }).export({
      type: "sec1",
      format: "pem",
    }) as string;
  }
  return pemBlock("ED25519 PRIVATE KEY", pkcs8);
}

function pemBlock(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

async function generate(kind: "ecdsa" | "ed25519"): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(kind === "ecdsa" ? ecdsa : ed25519, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
}

export interface CAOptions {
  /** The subject's only attribute; absent for the aggregator CA, whose subject is empty. */
  organization?: string;
  key: "ecdsa" | "ed25519";
  notBefore: Date;
  notAfter: Date;
  /** siderolabs/crypto >= 0.6.4 (Talos >= 1.12) sets a random 20-byte key id; older ones let Go derive it. */
  randomSki: boolean;
}

/**
 * A self-signed CA as siderolabs/crypto makes it: subject O=<org> only, KeyUsage CertSign|DigitalSignature
 * (critical), ExtKeyUsage ServerAuth+ClientAuth, BasicConstraints CA (critical), a subject key id.
 */
export async function newSelfSignedCA(opts: CAOptions): Promise<PemPair> {
  const keys = await generate(opts.key);
  const name = opts.organization ? `O=${opts.organization}` : "";
  // Go derives the id from the key (SHA-1 of the public key bits) when the caller sets none.
  const ski = opts.randomSki
    ? new x509.SubjectKeyIdentifierExtension(randomBytes(20).toString("hex"))
    : await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: name,
    issuer: name,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    signingAlgorithm: opts.key === "ecdsa" ? ecdsa : ed25519,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.BasicConstraintsExtension(true, undefined, true),
      ski,
    ],
  });
  return { crtPem: `${cert.toString("pem")}\n`, keyPem: await exportKey(keys.privateKey, opts.key) };
}

export interface ClientCertOptions {
  caCrtPem: string;
  caKeyPem: string;
  organizations: string[];
  notBefore: Date;
  notAfter: Date;
}

/**
 * A client certificate signed by the Talos (Ed25519) CA, as `NewAdminCertificateAndKey`: an Ed25519 key,
 * O=<roles>, KeyUsage DigitalSignature, ExtKeyUsage ClientAuth.
 */
export async function newClientCertificate(opts: ClientCertOptions): Promise<PemPair> {
  const ca = new x509.X509Certificate(opts.caCrtPem);
  const caKey = await importPrivateKey(opts.caKeyPem);
  const keys = await generate("ed25519");
  const extensions: X509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    new x509.BasicConstraintsExtension(false, undefined, true),
  ];
  const caSki = ca.getExtension(x509.SubjectKeyIdentifierExtension);
  if (caSki) extensions.push(new x509.AuthorityKeyIdentifierExtension(caSki.keyId));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: opts.organizations.map((o) => `O=${o}`).join(", "),
    issuer: ca.subject,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    signingAlgorithm: caKey.algorithm.name === "Ed25519" ? ed25519 : ecdsa,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions,
  });
  return { crtPem: `${cert.toString("pem")}\n`, keyPem: await exportKey(keys.privateKey, "ed25519") };
}

/** Imports a Talos PEM private key (SEC1 EC or the Ed25519 PKCS#8 block) for signing. */
export async function importPrivateKey(keyPem: string): Promise<CryptoKey> {
  const normalized = keyPem.replace(/ED25519 PRIVATE KEY/g, "PRIVATE KEY");
  const key = createPrivateKey(normalized);
  const pkcs8 = key.export({ type: "pkcs8", format: "der" });
  const algorithm = key.asymmetricKeyType === "ed25519" ? ed25519 : { name: "ECDSA", namedCurve: "P-256" };
  return (await webcrypto.subtle.importKey("pkcs8", pkcs8, algorithm, true, ["sign"])) as CryptoKey;
}

export function newEcdsaKeyPem(): string {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return privateKey.export({ type: "sec1", format: "pem" }) as string;
}

export function newRsaKeyPem(bits: number): string {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return privateKey.export({ type: "pkcs1", format: "pem" }) as string;
}
