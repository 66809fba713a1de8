/**
 * Decryption during `homeops build`, as Flux's kustomize-controller does it (research/sops.md §4.3): generator inputs
 * (dotenv and other files a secretGenerator reads) are decrypted before the build when they carry their format's
 * marker, and every built object with a `sops` block — and every Secret data value holding an encrypted file — after
 * it, before post-build substitution. Like Flux, the MAC is not checked here (Flux decrypts re-marshalled JSON).
 *
 * Rendering is synchronous; age is not. So the data keys of every encrypted file of the repository are unwrapped
 * once up front (`prepareFluxDecryption`), and the render then decrypts with known keys.
 */
import { createHash } from "node:crypto";
import { type Diagnostic, type Diagnostics, diagnostic, type Position } from "../core/diagnostics.ts";
import { RepoFs } from "../core/repo-fs.ts";
import { loadYaml } from "../core/yaml/load.ts";
import { isMap, newMap, type ValueMap } from "../core/yaml/value.ts";
import { unwrapAgeStanza } from "./age.ts";
import { decryptWithDataKey, isSopsEncrypted, readSopsMetadata } from "./decrypt.ts";
import { openWithKey, readEncrypted } from "./file.ts";
import { type Format, formatForPath } from "./formats.ts";
import { looksEncrypted } from "./ops.ts";

/** Flux stops at 5 MiB of decrypted data per file. */
const FLUX_MAX_BYTES = 5 * 1024 * 1024;

export class FluxDecryption {
  /** Data keys by the armored age file that wraps them; undefined when no identity opens it. */
  readonly #keys = new Map<string, Uint8Array | undefined>();
  /** Generator inputs reported as undecryptable (by content), so the Secrets made from them are not reported again. */
  readonly #reported = new Set<string>();
  /** Problems with generator inputs, found while the build reads them. */
  readonly fileDiagnostics: Diagnostic[] = [];

  constructor(readonly identities: readonly string[]) {}

  /** Unwraps the data key of every SOPS file under `root` (the only asynchronous step). */
  async prepare(root: string): Promise<void> {
    const fs = new RepoFs(root);
    const encs = new Set<string>();
    const walk = (dir: string) => {
      for (const name of fs.list(dir)) {
        if (name === ".git" || name === "node_modules") continue;
        const abs = `${dir}/${name}`;
        const kind = fs.kind(abs);
        if (kind === "dir") walk(abs);
        else if (kind === "file") {
          let bytes: Buffer;
          try {
            bytes = fs.readBytes(abs);
          } catch {
            continue;
          }
          if (bytes.length > FLUX_MAX_BYTES || !looksEncrypted(bytes)) continue;
          for (const e of agesOf(bytes, formatForPath(abs), fs.rel(abs))) encs.add(e);
        }
      }
    };
    if (this.identities.length > 0) walk(fs.root);
    for (const enc of encs) {
      const r = await unwrapAgeStanza(enc, this.identities);
      this.#keys.set(enc, r.ok ? r.key : undefined);
    }
  }

  #keyFor(encs: readonly string[]): Uint8Array | undefined {
    for (const e of encs) {
      const k = this.#keys.get(e);
      if (k) return k;
    }
    return undefined;
  }

  /** The repository as the build reads it: generator inputs come back decrypted. */
  repoFs(root: string): RepoFs {
    return new DecryptingRepoFs(root, this);
  }

  /** Decrypts a generator input that carries its format's marker; undefined leaves it as it is (like Flux). */
  decryptFile(abs: string, rel: string, bytes: Buffer): Buffer | undefined {
    if (!looksEncrypted(bytes)) return undefined;
    const r = this.#decryptBytes(bytes, formatForPath(abs));
    if (typeof r !== "string") return r;
    const d = digest(bytes);
    // The build may read a file more than once (render passes): report it once.
    if (!this.#reported.has(d)) this.fileDiagnostics.push(this.#problem(rel, r));
    this.#reported.add(d);
    return undefined;
  }

  #decryptBytes(bytes: Buffer, format: Format): Buffer | string {
    const enc = readEncrypted(bytes, format);
    if (!enc.ok) return enc.error;
    const key = this.#keyFor(enc.metadata.age.map((a) => a.enc));
    if (!key) return this.#noKey(enc.metadata.age.map((a) => a.recipient));
    const r = openWithKey(bytes, format, enc.body, enc.metadata, key, { ignoreMac: true });
    return r.ok ? r.opened.plaintext : r.error;
  }

  #noKey(recipients: readonly string[]): string {
    return this.identities.length === 0
      ? "no age identity was given"
      : `no age identity opens it (recipients ${recipients.join(", ") || "none"})`;
  }

  #problem(file: string, message: string): Diagnostic {
    return this.identities.length === 0
      ? diagnostic(
          "SOPS031",
          "info",
          `SOPS-encrypted; not decrypted: ${message}`,
          { file },
          "Pass --age-key-file (or set SOPS_AGE_KEY_FILE) to decrypt it.",
        )
      : diagnostic(
          "SOPS030",
          "error",
          `SOPS-encrypted file cannot be decrypted: ${message}`,
          { file },
          "Flux would fail to apply this Kustomization; check the key in the sops-age Secret.",
        );
  }

  /** Flux's DecryptResource: one built object, decrypted when it carries a `sops` block or holds encrypted files. */
  decryptObject(obj: ValueMap, origin: Position, diags: Diagnostics): ValueMap {
    // One diagnostic per file: the position is the file as a whole.
    const at = { file: origin.file };
    if (isSopsEncrypted(obj)) {
      const md = readSopsMetadata(obj);
      if (!md.ok) {
        diags.add(this.#problem(at.file, md.error));
        return obj;
      }
      const key = this.#keyFor(md.metadata.ageEncs);
      if (!key) {
        diags.add(this.#problem(at.file, this.#noKey(recipientsOf(obj))));
        return obj;
      }
      const r = decryptWithDataKey([obj], key, md.metadata, true);
      if (!r.ok) {
        diags.add(this.#problem(at.file, r.error));
        return obj;
      }
      return r.values[0] as ValueMap;
    }
    if (obj.apiVersion !== "v1" || obj.kind !== "Secret" || !isMap(obj.data)) return obj;
    let out: ValueMap | undefined;
    for (const [k, v] of Object.entries(obj.data)) {
      if (typeof v !== "string") continue;
      const bytes = Buffer.from(v, "base64");
      if (!looksEncrypted(bytes)) continue;
      const r = this.#decryptBytes(bytes, formatForPath(k));
      if (typeof r === "string") {
        // A generator input that could not be decrypted was reported on its own file already.
        if (!this.#reported.has(digest(bytes))) diags.add(this.#problem(at.file, `data ${k}: ${r}`));
        continue;
      }
      if (!out) {
        out = { ...obj } as ValueMap;
        out.data = Object.assign(newMap(), obj.data);
      }
      (out.data as ValueMap)[k] = r.toString("base64");
    }
    return out ?? obj;
  }
}

function recipientsOf(obj: ValueMap): string[] {
  const age = isMap(obj.sops) ? obj.sops.age : undefined;
  return Array.isArray(age)
    ? age.flatMap((a) => (isMap(a) && typeof a.recipient === "string" ? [a.recipient] : []))
    : [];
}

const digest = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** The age `enc` entries of every sops block in a file (each YAML document may carry its own). */
function agesOf(bytes: Buffer, format: Format, rel: string): string[] {
  if (format === "yaml") {
    const r = loadYaml(bytes.toString("utf8"), rel);
    return r.docs.flatMap((d) => {
      const md = isMap(d.value) ? readSopsMetadata(d.value) : undefined;
      return md?.ok ? md.metadata.ageEncs : [];
    });
  }
  const r = readEncrypted(bytes, format);
  return r.ok ? r.metadata.age.map((a) => a.enc) : [];
}

class DecryptingRepoFs extends RepoFs {
  constructor(
    root: string,
    readonly decryption: FluxDecryption,
  ) {
    super(root);
  }

  override readBytes(abs: string): Buffer {
    const bytes = super.readBytes(abs);
    return this.decryption.decryptFile(abs, this.rel(abs), bytes) ?? bytes;
  }
}

/** Prepares build-time decryption with the given identities (none: encrypted files are reported as info). */
export async function prepareFluxDecryption(
  root: string,
  identities: readonly string[],
): Promise<FluxDecryption> {
  const d = new FluxDecryption(identities);
  await d.prepare(root);
  return d;
}
