/**
 * age identities and the unwrapping of a SOPS data key, on Filippo Valsorda's `age-encryption` (the TypeScript
 * port of filippo.io/age, which sops uses).
 */
import { armor, Decrypter } from "age-encryption";

export interface AgeIdentities {
  /** `AGE-SECRET-KEY-1…` (X25519) and `AGE-SECRET-KEY-PQ-1…` (hybrid) strings, in file order. */
  identities: string[];
  /** One message per line that is neither blank, a comment nor an identity (sops refuses the whole file). */
  errors: string[];
}

const IDENTITY = /^AGE-SECRET-KEY-(?:PQ-)?1[02-9AC-HJ-NP-Z]+$/;

/**
 * Reads a keys file as sops' `parseIdentities` does: one identity per line, blank lines and `#` comments
 * skipped. Whitespace around a line is tolerated (keys pasted into Secrets often carry some).
 */
export function parseAgeIdentities(text: string): AgeIdentities {
  const identities: string[] = [];
  const errors: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (IDENTITY.test(line)) identities.push(line);
    else if (line.startsWith("AGE-PLUGIN-"))
      errors.push(`line ${i + 1}: age plugin identities are not supported`);
    else errors.push(`line ${i + 1}: unknown identity type`);
  });
  return { identities, errors };
}

export type DataKeyResult = { ok: true; key: Uint8Array } | { ok: false; error: string; code: string };

/** Decrypts one `sops.age[].enc` (an armored age file holding the 32-byte data key) with any of the identities. */
export async function unwrapAgeStanza(enc: string, identities: readonly string[]): Promise<DataKeyResult> {
  if (identities.length === 0) return { ok: false, error: "no age identity available", code: "no-identity" };
  let file: Uint8Array;
  try {
    file = armor.decode(enc);
  } catch (e) {
    return {
      ok: false,
      error: `age stanza is not a valid armored age file: ${message(e)}`,
      code: "bad-stanza",
    };
  }
  const d = new Decrypter();
  try {
    for (const id of identities) d.addIdentity(id);
  } catch (e) {
    return { ok: false, error: `invalid age identity: ${message(e)}`, code: "bad-identity" };
  }
  try {
    const key = await d.decrypt(file, "uint8array");
    // A Shamir share is 33 bytes; everything else sops wraps is the bare 32-byte AES key.
    if (key.length !== 32) {
      return {
        ok: false,
        error: `age stanza holds ${key.length} bytes, not a 32-byte data key`,
        code: "bad-data-key",
      };
    }
    return { ok: true, key };
  } catch (e) {
    return { ok: false, error: `no age identity matches: ${message(e)}`, code: "no-matching-identity" };
  }
}

/**
 * Tries every age entry of the metadata in order; the first that opens wins, as in sops (the recipient string
 * is not used to pick an identity).
 */
export async function unwrapSopsDataKey(
  encs: readonly string[],
  identities: readonly string[],
): Promise<DataKeyResult> {
  if (encs.length === 0)
    return { ok: false, error: "the file has no age recipients", code: "no-age-recipient" };
  let last: DataKeyResult | undefined;
  for (const enc of encs) {
    last = await unwrapAgeStanza(enc, identities);
    if (last.ok) return last;
  }
  return last as DataKeyResult;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
