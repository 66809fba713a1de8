import * as path from "node:path";
import { isMap, type Value } from "../core/yaml/value.ts";
import { goRegex, RULE_KEYS } from "../sops/rules.ts";
import type { CheckContext } from "./context.ts";

/** One `creation_rules` entry of `.sops.yaml`, as far as checking a file against it needs. */
export interface SopsCreationRule {
  index: number;
  pathRegex: RegExp | undefined;
  /** age recipients, sorted (from `age` or the first key group). */
  age: string[];
  /** Which of encrypted_regex, unencrypted_suffix, … it sets, with its value. */
  crypt: [string, string] | undefined;
}

export interface SopsConfigFile {
  /** Repo-relative path of the `.sops.yaml`. */
  file: string;
  rules: SopsCreationRule[];
}

/** The keys choosing which values are encrypted (one per rule and per file). */
export const CRYPT_KEYS: readonly string[] = RULE_KEYS;

function keyList(v: Value | undefined): string[] {
  const items = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return items
    .flatMap((x) => String(x).split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .sort();
}

/**
 * The nearest `.sops.yaml` from a file's directory up to the repository root (sops looks upwards from where it
 * runs; in a repository that is the root or the file's folder). Undefined when there is none or it cannot be read.
 */
export function sopsConfigFor(ctx: CheckContext, file: string): SopsConfigFile | undefined {
  let dir = path.posix.dirname(file);
  for (;;) {
    const candidate = dir === "." ? ".sops.yaml" : `${dir}/.sops.yaml`;
    const loaded = ctx.fs.tryReadRel(candidate) !== undefined ? readConfig(ctx, candidate) : undefined;
    if (loaded) return loaded;
    if (dir === "." || dir === "") return undefined;
    dir = path.posix.dirname(dir);
  }
}

/**
 * The creation rules, read leniently: only `path_regex` is compiled (as Go's RE2, like sops), the rest is compared
 * as written. A `path_regex` that cannot be compiled makes the file unusable, as it is for sops.
 */
function readConfig(ctx: CheckContext, file: string): SopsConfigFile | undefined {
  const doc = ctx.load(file)?.docs[0]?.value;
  if (!isMap(doc) || !Array.isArray(doc.creation_rules)) return undefined;
  const rules: SopsCreationRule[] = [];
  for (const [index, r] of doc.creation_rules.entries()) {
    if (!isMap(r)) continue;
    let pathRegex: RegExp | undefined;
    if (typeof r.path_regex === "string" && r.path_regex !== "") {
      const re = goRegex(r.path_regex);
      if (typeof re === "string") return undefined;
      pathRegex = re;
    }
    const group = Array.isArray(r.key_groups) && isMap(r.key_groups[0]) ? r.key_groups[0] : undefined;
    const crypt = CRYPT_KEYS.find((k) => typeof r[k] === "string" && r[k] !== "");
    rules.push({
      index,
      pathRegex,
      age: keyList(group ? group.age : r.age),
      crypt: crypt ? [crypt, String(r[crypt])] : undefined,
    });
  }
  return { file, rules };
}

/** The first rule matching a repo-relative file (its path relative to the config's folder, unanchored). */
export function matchingRule(config: SopsConfigFile, file: string): SopsCreationRule | undefined {
  const base = path.posix.dirname(config.file);
  const rel = base === "." ? file : file.startsWith(`${base}/`) ? file.slice(base.length + 1) : file;
  return config.rules.find((r) => r.pathRegex === undefined || r.pathRegex.test(rel));
}
