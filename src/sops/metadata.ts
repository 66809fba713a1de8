/**
 * The `sops` metadata block: read leniently from every historical layout, written in the layout of sops 3.10.2
 * (struct order, empty key lists omitted; research/sops.md §1.8). Master keys we cannot use (pgp, kms, …) are kept
 * verbatim so that editing a file with only an age identity leaves them valid.
 */

import { type Fail, fail, rfc3339 } from "./cipher.ts";
import { type CryptRule, DEFAULT_RULE, makeRule, RULE_KEYS } from "./rules.ts";

/** The sops version whose output layout homeops writes, and the `version` string it puts in files. */
export const SOPS_VERSION = "3.10.2";

export interface AgeEntry {
  recipient: string;
  enc: string;
}

/** A plain JS view of the metadata as parsed from YAML/JSON or unflattened from dotenv/INI. */
export type Plain = string | number | boolean | null | Plain[] | { [k: string]: Plain };

export interface SopsMetadata {
  age: AgeEntry[];
  /** Other master-key lists (`pgp`, `kms`, …), verbatim, by their metadata key. */
  others: Record<string, Plain[]>;
  /** As written; `lastModifiedAad` is its RFC3339 normalization (the MAC's AAD). */
  lastModified: string;
  lastModifiedAad: string;
  mac: string;
  rule: CryptRule;
  macOnlyEncrypted: boolean;
  version: string;
}

const OTHER_KEYS = ["kms", "gcp_kms", "azure_kv", "hc_vault", "hckms", "pgp"] as const;

const isObj = (v: Plain | undefined): v is { [k: string]: Plain } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads the metadata as sops' mapstructure decoding does (absent/null lists mean empty, unknown keys ignored). */
export function parseMetadata(raw: Plain | undefined): { ok: true; metadata: SopsMetadata } | Fail {
  if (raw === undefined) return fail("no-metadata", "sops metadata not found");
  if (!isObj(raw)) return fail("bad-metadata", "the sops metadata is not a mapping");
  let group: { [k: string]: Plain } = raw;
  const groups = raw.key_groups;
  if (Array.isArray(groups) && groups.length > 0) {
    if (groups.length > 1)
      return fail(
        "unsupported",
        "the data key is split across key groups (Shamir), which homeops does not support",
      );
    if (isObj(groups[0])) group = groups[0];
  }
  const age: AgeEntry[] = [];
  if (Array.isArray(group.age)) {
    for (const e of group.age) {
      if (!isObj(e)) return fail("bad-metadata", "an age entry of the sops metadata is not a mapping");
      const recipient = typeof e.recipient === "string" ? e.recipient : "";
      const enc = typeof e.enc === "string" ? e.enc : "";
      if (enc === "") return fail("bad-metadata", `the age entry for ${recipient || "?"} has no enc`);
      age.push({ recipient, enc });
    }
  }
  const others: Record<string, Plain[]> = {};
  for (const k of OTHER_KEYS) {
    const v = group[k];
    if (Array.isArray(v) && v.length > 0) others[k] = v;
  }
  const lm = raw.lastmodified;
  if (typeof lm !== "string") return fail("bad-metadata", "the sops metadata has no lastmodified");
  const lastModifiedAad = rfc3339(lm);
  if (lastModifiedAad === undefined)
    return fail("bad-metadata", `sops lastmodified ${JSON.stringify(lm)} is not RFC3339`);
  const present = RULE_KEYS.filter((k) => typeof raw[k] === "string" && raw[k] !== "");
  if (present.length > 1)
    return fail("bad-metadata", `the sops metadata sets more than one crypt rule: ${present.join(", ")}`);
  let rule = DEFAULT_RULE;
  const name = present[0];
  if (name !== undefined) {
    const r = makeRule(name, raw[name] as string);
    if (typeof r === "string") return fail("unsupported", r);
    rule = r;
  }
  const mac = typeof raw.mac === "string" ? raw.mac : "";
  const macOnlyEncrypted = raw.mac_only_encrypted === true || raw.mac_only_encrypted === "true";
  const version = typeof raw.version === "string" ? raw.version : String(raw.version ?? "");
  return {
    ok: true,
    metadata: { age, others, lastModified: lm, lastModifiedAad, mac, rule, macOnlyEncrypted, version },
  };
}

/** One metadata entry in write order; values are strings, booleans or lists of flat string maps. */
export type MetaEntry = [string, string | boolean | Plain[]];

/** The metadata in sops 3.10.2's struct order, with empty key lists omitted. */
export function metadataEntries(md: SopsMetadata): MetaEntry[] {
  const out: MetaEntry[] = [];
  for (const k of ["kms", "gcp_kms", "azure_kv", "hc_vault"] as const)
    if (md.others[k]) out.push([k, md.others[k]]);
  if (md.age.length > 0) out.push(["age", md.age.map((a) => ({ recipient: a.recipient, enc: a.enc }))]);
  out.push(["lastmodified", md.lastModified], ["mac", md.mac]);
  if (md.others.pgp) out.push(["pgp", md.others.pgp]);
  if (md.others.hckms) out.push(["hckms", md.others.hckms]);
  out.push([md.rule.key, md.rule.text]);
  if (md.macOnlyEncrypted) out.push(["mac_only_encrypted", true]);
  out.push(["version", md.version]);
  return out;
}

/** sops' `FlattenMetadata` for dotenv and INI: `age__list_0__map_enc`, sorted as sops ≥ 3.8 writes them. */
export function flattenMetadata(md: SopsMetadata): [string, string][] {
  const out: [string, string][] = [];
  const walk = (prefix: string, v: Plain): void => {
    if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(`${prefix}__list_${i}`, x);
    else if (isObj(v)) for (const [k, x] of Object.entries(v)) walk(`${prefix}__map_${k}`, x);
    else out.push([prefix, v === null ? "" : String(v)]);
  };
  for (const [k, v] of metadataEntries(md)) walk(k, v as Plain);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** sops' `unflatten`: `age__list_0__map_enc` → `age[0].enc`; false on a malformed key. */
export function setFlattened(root: { [k: string]: Plain }, key: string, value: string): boolean {
  const parts = key.split(/(__list_|__map_)/);
  let container: { [k: string]: Plain } | Plain[] = root;
  let slot: string | number = parts[0] as string;
  for (let j = 1; j < parts.length; j += 2) {
    const list = parts[j] === "__list_";
    const name = parts[j + 1] as string;
    const existing: Plain | undefined = Array.isArray(container)
      ? container[slot as number]
      : (container as { [k: string]: Plain })[slot as string];
    const child: Plain = existing ?? (list ? [] : {});
    if (Array.isArray(child) !== list || !(Array.isArray(child) || isObj(child))) return false;
    if (Array.isArray(container)) container[slot as number] = child;
    else container[slot as string] = child;
    container = child;
    if (list) {
      if (!/^\d+$/.test(name) || Number(name) > 10_000) return false;
      slot = Number(name);
    } else slot = name;
  }
  if (Array.isArray(container)) container[slot as number] = value;
  else container[slot as string] = value;
  return true;
}
