/**
 * `.sops.yaml` as sops reads it (`config/config.go`, research/sops.md §3): found from a directory upwards, creation
 * rules matched in order against the file's path relative to the config's directory (unanchored RE2 search), the
 * first match wins; a rule without `path_regex` matches everything.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { type Fail, fail } from "./cipher.ts";
import { type CryptRule, goRegex, makeRule, RULE_KEYS } from "./rules.ts";

export interface CreationRule {
  /** Index in `creation_rules` (0-based) for messages. */
  index: number;
  pathRegex?: RegExp;
  age: string[];
  /** Key types homeops cannot wrap for (pgp, kms, …) that the rule names. */
  otherKeys: string[];
  rule?: CryptRule;
  macOnlyEncrypted: boolean;
}

export interface SopsConfig {
  file: string;
  rules: CreationRule[];
  yamlIndent?: number;
  jsonIndent?: number;
}

/** Nearest `.sops.yaml` from `start` upwards (up to 100 levels, as sops), or undefined. */
export function findSopsConfig(start: string): string | undefined {
  let dir = path.resolve(start);
  for (let i = 0; i < 100; i++) {
    const f = path.join(dir, ".sops.yaml");
    if (fs.existsSync(f)) return f;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

const OTHER_RULE_KEYS = ["pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault_transit_uri", "hckms"];

/** Keys given as a comma-separated string or a list of (comma-separated) strings; entries trimmed, empties dropped. */
function keyList(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return items
    .flatMap((x) => String(x).split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function loadSopsConfig(
  file: string,
  text: string = fs.readFileSync(file, "utf8"),
): { ok: true; config: SopsConfig } | Fail {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 1000 });
  } catch (e) {
    return fail("bad-config", `${file}: ${(e as Error).message.split("\n")[0]}`);
  }
  const config: SopsConfig = { file, rules: [] };
  if (doc === null || doc === undefined) return { ok: true, config };
  if (typeof doc !== "object" || Array.isArray(doc)) return fail("bad-config", `${file}: not a mapping`);
  const d = doc as Record<string, unknown>;
  const stores = d.stores as Record<string, Record<string, unknown>> | undefined;
  const yi = stores?.yaml?.indent;
  if (typeof yi === "number") config.yamlIndent = yi;
  const ji = stores?.json?.indent;
  if (typeof ji === "number") config.jsonIndent = ji;
  const rules = d.creation_rules;
  if (rules === undefined || rules === null) return { ok: true, config };
  if (!Array.isArray(rules)) return fail("bad-config", `${file}: creation_rules must be a list`);
  for (const [index, raw] of rules.entries()) {
    if (typeof raw !== "object" || raw === null)
      return fail("bad-config", `${file}: creation rule ${index + 1} is not a mapping`);
    const r = raw as Record<string, unknown>;
    const cr: CreationRule = {
      index,
      age: [],
      otherKeys: [],
      macOnlyEncrypted: r.mac_only_encrypted === true,
    };
    if (typeof r.path_regex === "string" && r.path_regex !== "") {
      const re = goRegex(r.path_regex);
      if (typeof re === "string")
        return fail("bad-config", `${file}: creation rule ${index + 1}: path_regex: ${re}`);
      cr.pathRegex = re;
    }
    const groups = r.key_groups;
    if (Array.isArray(groups) && groups.length > 0) {
      if (groups.length > 1)
        return fail(
          "unsupported",
          `${file}: creation rule ${index + 1} splits the key across ${groups.length} key groups (Shamir), which homeops does not support`,
        );
      const g = (groups[0] ?? {}) as Record<string, unknown>;
      cr.age = keyList(g.age);
      for (const k of ["pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault", "hckms"])
        if (keyList(g[k]).length > 0 || (Array.isArray(g[k]) && g[k].length > 0)) cr.otherKeys.push(k);
    } else {
      cr.age = keyList(r.age);
      for (const k of OTHER_RULE_KEYS) if (keyList(r[k]).length > 0) cr.otherKeys.push(k);
    }
    const present = RULE_KEYS.filter((k) => typeof r[k] === "string" && r[k] !== "");
    if (present.length > 1)
      return fail(
        "bad-config",
        `${file}: creation rule ${index + 1} sets more than one of ${present.join(", ")}`,
      );
    const name = present[0];
    if (name !== undefined) {
      const rule = makeRule(name, r[name] as string);
      if (typeof rule === "string") return fail("bad-config", `${file}: creation rule ${index + 1}: ${rule}`);
      cr.rule = rule;
    }
    config.rules.push(cr);
  }
  return { ok: true, config };
}

/** The first rule matching `absFile` (relative to the config's directory; absolute if the file is outside it). */
export function ruleForFile(config: SopsConfig, absFile: string): CreationRule | undefined {
  const dir = path.dirname(path.resolve(config.file));
  let p = path.resolve(absFile);
  if (p.startsWith(`${dir}${path.sep}`)) p = p.slice(dir.length + 1);
  p = p.split(path.sep).join("/");
  return config.rules.find((r) => r.pathRegex === undefined || r.pathRegex.test(p));
}
