/**
 * kustomize's env-file reader (api/kv keyValuesFromLines). It is much simpler than a shell or docker-compose
 * dotenv: no quote removal, no `export` handling, no trimming of the value or of the key's right side, and a
 * line without `=` yields the key with an empty value (never a lookup in the environment).
 */
export interface EnvPair {
  key: string;
  value: string;
}

export type EnvParseResult = { ok: true; pairs: EnvPair[] } | { ok: false; message: string };

/** bufio.Scanner's default limit: a longer line ends the scan silently (kustomize ignores scanner.Err()). */
const MAX_LINE_BYTES = 64 * 1024;

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function parseEnvFile(bytes: Uint8Array): EnvParseResult {
  const pairs: EnvPair[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    const last = end < 0;
    if (last) end = bytes.length;
    if (end - start >= MAX_LINE_BYTES) break;
    let line = bytes.subarray(start, end);
    // bufio.ScanLines drops one carriage return before the newline (and at EOF).
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    let text: string;
    try {
      text = UTF8.decode(line);
    } catch {
      return { ok: false, message: `line ${lineNo + 1} has invalid UTF-8 bytes` };
    }
    if (lineNo === 0 && text.startsWith("\ufeff")) text = text.slice(1);
    text = trimLeftGoSpace(text);
    lineNo++;
    start = end + 1;
    if (text === "" || text.startsWith("#")) continue;
    const eq = text.indexOf("=");
    const key = eq < 0 ? text : text.slice(0, eq);
    const value = eq < 0 ? "" : text.slice(eq + 1);
    // An empty key (a line starting with `=`) is dropped like a blank line.
    if (key === "") continue;
    pairs.push({ key, value });
    if (last) break;
  }
  return { ok: true, pairs };
}

/** Go's unicode.IsSpace: Latin-1 spaces plus the Unicode White_Space property (not U+FEFF, unlike JS `\s`). */
export function isGoSpace(c: number): boolean {
  if (c <= 0xff) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0;
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

function trimLeftGoSpace(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpace(s.charCodeAt(i))) i++;
  return s.slice(i);
}
