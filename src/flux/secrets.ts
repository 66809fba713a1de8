import { deepClone, isMap, newMap, type ValueMap } from "../core/yaml/value.ts";

export const MASK = "**MASKED**";
const MASK_B64 = Buffer.from(MASK).toString("base64");

/** A v1 Secret with every value masked (data keeps base64 form); other objects unchanged. */
export function maskSecret(obj: ValueMap): ValueMap {
  if (obj.apiVersion !== "v1" || obj.kind !== "Secret") return obj;
  const out = deepClone(obj);
  // Like `flux build`, an encrypted Secret loses its SOPS metadata once its values are masked.
  delete out.sops;
  for (const [field, mask] of [
    ["data", MASK_B64],
    ["stringData", MASK],
  ] as const) {
    const m = out[field];
    if (!isMap(m)) continue;
    const masked = newMap();
    for (const k of Object.keys(m)) masked[k] = mask;
    out[field] = masked;
  }
  return out;
}

/** Whether an object still carries SOPS metadata (it was not decrypted). */
export function isSopsEncrypted(obj: ValueMap): boolean {
  return isMap(obj.sops);
}
