import { Buffer } from "node:buffer";
import { encodeGoYaml, type GoValue } from "./go-yaml.ts";
import { newClientCertificate } from "./pki.ts";
import { pem, type SecretsBundle } from "./secrets.ts";

/** Talos's default admin certificate lifetime (TalosAPIDefaultCertificateValidityDuration, one year). */
export const adminCertTtlMs = 365 * 24 * 3600 * 1000;

export interface TalosconfigOptions {
  clusterName: string;
  bundle: SecretsBundle;
  endpoints: string[];
  nodes?: string[];
  /** Admin certificate lifetime; talhelper's `--crt-ttl`. */
  ttlMs?: number;
  /** Roles of the client certificate, `os:admin` by default. */
  roles?: string[];
  now?: Date;
}

/**
 * A talosconfig with a freshly minted admin client certificate (Ed25519, signed by the Talos CA), as
 * `clientconfig.NewConfig` writes it. The certificate is new on every run, so the file is never byte-stable.
 */
export async function renderTalosconfig(o: TalosconfigOptions): Promise<string> {
  const now = o.now ?? new Date();
  const cert = await newClientCertificate({
    caCrtPem: pem(o.bundle.certs.os.crt),
    caKeyPem: pem(o.bundle.certs.os.key),
    organizations: o.roles ?? ["os:admin"],
    notBefore: now,
    notAfter: new Date(now.getTime() + (o.ttlMs ?? adminCertTtlMs)),
  });
  const context: { [k: string]: GoValue } = { endpoints: o.endpoints };
  if (o.nodes && o.nodes.length > 0) context.nodes = o.nodes;
  context.ca = o.bundle.certs.os.crt;
  context.crt = Buffer.from(cert.crtPem).toString("base64");
  context.key = Buffer.from(cert.keyPem).toString("base64");
  return encodeGoYaml({ context: o.clusterName, contexts: { [o.clusterName]: context } });
}
