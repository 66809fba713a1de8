/**
 * Which values sops encrypts (`sops.go` `shouldBeEncrypted`): exactly one crypt rule per file, matched against every
 * mapping key on the path, so a match on an ancestor applies to the whole subtree (research/sops.md §1.5).
 */

export const RULE_KEYS = [
  "unencrypted_suffix",
  "encrypted_suffix",
  "unencrypted_regex",
  "encrypted_regex",
  "unencrypted_comment_regex",
  "encrypted_comment_regex",
] as const;
export type RuleKey = (typeof RULE_KEYS)[number];

/** The rule as written (for metadata) with its compiled regex. */
export interface CryptRule {
  key: RuleKey;
  text: string;
  re?: RegExp;
}

export const DEFAULT_RULE: CryptRule = { key: "unencrypted_suffix", text: "_unencrypted" };

/** Compiles a rule; undefined (with why) when the pattern is not a regular expression we can evaluate like RE2. */
export function makeRule(key: RuleKey, text: string): CryptRule | string {
  if (key === "unencrypted_suffix" || key === "encrypted_suffix") return { key, text };
  const re = goRegex(text);
  if (typeof re === "string") return `${key} ${JSON.stringify(text)}: ${re}`;
  return { key, text, re };
}

/**
 * Whether a value at `path` is encrypted. `comments` are the comments seen in each enclosing collection since its
 * last non-comment item (the comment regex rules look at them); `isComment` marks the comment leaf itself.
 */
export function shouldBeEncrypted(
  rule: CryptRule,
  path: readonly string[],
  comments: readonly (readonly string[])[] = [],
  isComment = false,
): boolean {
  const re = rule.re;
  switch (rule.key) {
    case "unencrypted_suffix":
      return !path.some((p) => p.endsWith(rule.text));
    case "encrypted_suffix":
      return path.some((p) => p.endsWith(rule.text));
    case "unencrypted_regex":
      return !path.some((p) => re?.test(p));
    case "encrypted_regex":
      return path.some((p) => re?.test(p));
    case "unencrypted_comment_regex":
      return !comments.some((cs) => cs.some((c) => re?.test(c)));
    case "encrypted_comment_regex": {
      const inner = comments.length - 1;
      for (const [i, cs] of comments.entries()) {
        for (const [j, c] of cs.entries()) {
          // The marker comment itself stays plain.
          if (isComment && i === inner && j === cs.length - 1) continue;
          if (re?.test(c)) return true;
        }
      }
      return false;
    }
  }
}

/**
 * A Go RE2 pattern as a JS RegExp (unanchored search, like `regexp.MatchString`), with the common RE2-only syntax
 * mapped; JS-only syntax (lookarounds, backreferences) is refused because sops could not compile it.
 */
export function goRegex(pattern: string): RegExp | string {
  let p = pattern;
  let flags = "u";
  const inline = /^\(\?([ims]+)\)/.exec(p);
  if (inline !== null) {
    flags += inline[1] as string;
    p = p.slice(inline[0].length);
  }
  const scoped = scopeInlineFlags(p);
  if (scoped === undefined) return "inline flags other than i, m and s are not supported";
  p = scoped;
  if (/\(\?[=!]|\(\?<[=!]|\\[1-9]|\\k</.test(p)) return "lookarounds and backreferences are not RE2";
  p = p.replaceAll("(?P<", "(?<").replaceAll("\\A", "^").replaceAll("\\z", "$");
  for (const f of [flags, flags.replace("u", "")]) {
    try {
      return new RegExp(p, f);
    } catch {
      // try without the unicode flag, which is stricter about escapes
    }
  }
  return "not a valid regular expression";
}

/**
 * RE2's `(?flags)` inside a pattern applies to the rest of the enclosing group; JavaScript only has the scoped
 * form `(?flags:…)`, so the rest of the group is wrapped. Undefined for flags JavaScript lacks (U) or clearing.
 */
function scopeInlineFlags(p: string): string | undefined {
  if (!p.includes("(?")) return p;
  let out = "";
  /** For each open group: how many scoped groups to close with it. */
  const open: number[] = [0];
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === "\\") {
      out += c + (p[i + 1] ?? "");
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      continue;
    }
    if (c === "(") {
      const m = /^\(\?([A-Za-z-]*)\)/.exec(p.slice(i));
      if (m) {
        if (!/^[ims]+$/.test(m[1] as string)) return undefined;
        out += `(?${m[1]}:`;
        open[open.length - 1] = (open[open.length - 1] as number) + 1;
        i += m[0].length - 1;
        continue;
      }
      open.push(0);
      out += c;
      continue;
    }
    if (c === ")") {
      out += ")".repeat(open.pop() ?? 0);
      if (open.length === 0) open.push(0);
      out += c;
      continue;
    }
    out += c;
  }
  return out + ")".repeat(open[0] ?? 0);
}
