/**
 * The three glob dialects source-watcher's copy operations use, ported byte for byte because their corner cases
 * differ and decide what lands in an artifact:
 *  - Go's `path.Match` / `io/fs.Glob` for `from` patterns of Overwrite/Merge copies — so `**` is just `*`
 *    (one path segment), whatever the docs suggest;
 *  - `doublestar/v4` `Match` for `exclude` patterns and (via a walk) for `from` patterns of Extract copies.
 * All matching works on UTF-8 bytes like Go strings; invalid sequences decode to U+FFFD one byte at a time.
 */

import { decodeRuneAt, RUNE_ERROR } from "../core/go-utf8.ts";

export class BadPatternError extends Error {
  constructor() {
    super("syntax error in pattern");
  }
}

const SLASH = 0x2f;

/** utf8.DecodeRune: [rune, size]; size 0 at the end, 1 for an invalid byte. */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  return decodeRuneAt((k) => b[k], i);
}

const enc = (s: string): Uint8Array => Buffer.from(s, "utf8");

// ---------------------------------------------------------------------------------------------------------
// Go path.Match

/** Go `path.Match`; throws BadPatternError for a malformed pattern (checked to its end, as Go does). */
export function goPathMatch(pattern: string, name: string): boolean {
  let p = enc(pattern);
  let n = enc(name);
  chunks: while (p.length > 0) {
    const [star, chunk, rest] = scanChunk(p);
    p = rest;
    if (star && chunk.length === 0) return !n.includes(SLASH);
    const t = matchChunk(chunk, n);
    if (t !== undefined && (t.length === 0 || p.length > 0)) {
      n = t;
      continue;
    }
    if (star) {
      for (let i = 0; i < n.length && n[i] !== SLASH; i++) {
        const t2 = matchChunk(chunk, n.subarray(i + 1));
        if (t2 !== undefined) {
          if (p.length === 0 && t2.length > 0) continue;
          n = t2;
          continue chunks;
        }
      }
    }
    while (p.length > 0) {
      const [, c, r] = scanChunk(p);
      p = r;
      matchChunk(c, new Uint8Array(0));
    }
    return false;
  }
  return n.length === 0;
}

function scanChunk(p: Uint8Array): [boolean, Uint8Array, Uint8Array] {
  let star = false;
  while (p.length > 0 && p[0] === 0x2a) {
    p = p.subarray(1);
    star = true;
  }
  let inrange = false;
  let i = 0;
  scan: for (; i < p.length; i++) {
    switch (p[i]) {
      case 0x5c:
        if (i + 1 < p.length) i++;
        break;
      case 0x5b:
        inrange = true;
        break;
      case 0x5d:
        inrange = false;
        break;
      case 0x2a:
        if (!inrange) break scan;
        break;
    }
  }
  return [star, p.subarray(0, i), p.subarray(i)];
}

/** The rest of `s` after `chunk` matched its start, or undefined; throws on a malformed chunk. */
function matchChunk(chunk: Uint8Array, s: Uint8Array): Uint8Array | undefined {
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0]!;
    if (c === 0x5b) {
      let r = 0;
      if (!failed) {
        const [rr, sz] = decodeRune(s, 0);
        r = rr;
        s = s.subarray(sz);
      }
      chunk = chunk.subarray(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === 0x5e) {
        negated = true;
        chunk = chunk.subarray(1);
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === 0x5d && nrange > 0) {
          chunk = chunk.subarray(1);
          break;
        }
        const [lo, c1] = getEsc(chunk);
        chunk = c1;
        let hi = lo;
        if (chunk[0] === 0x2d) {
          const [h, c2] = getEsc(chunk.subarray(1));
          hi = h;
          chunk = c2;
        }
        if (lo <= r && r <= hi) match = true;
        nrange++;
      }
      if (match === negated) failed = true;
    } else if (c === 0x3f) {
      if (!failed) {
        if (s[0] === SLASH) failed = true;
        const [, sz] = decodeRune(s, 0);
        s = s.subarray(sz);
      }
      chunk = chunk.subarray(1);
    } else {
      if (c === 0x5c) {
        chunk = chunk.subarray(1);
        if (chunk.length === 0) throw new BadPatternError();
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.subarray(1);
      }
      chunk = chunk.subarray(1);
    }
  }
  return failed ? undefined : s;
}

function getEsc(chunk: Uint8Array): [number, Uint8Array] {
  if (chunk.length === 0 || chunk[0] === 0x2d || chunk[0] === 0x5d) throw new BadPatternError();
  if (chunk[0] === 0x5c) {
    chunk = chunk.subarray(1);
    if (chunk.length === 0) throw new BadPatternError();
  }
  const [r, n] = decodeRune(chunk, 0);
  if (r === RUNE_ERROR && n === 1) throw new BadPatternError();
  const rest = chunk.subarray(n);
  if (rest.length === 0) throw new BadPatternError();
  return [r, rest];
}

// ---------------------------------------------------------------------------------------------------------
// Go io/fs.Glob

/** The part of a file system fs.Glob needs; both answer undefined for paths fs.ValidPath rejects. */
export interface GlobFs {
  exists(p: string): boolean;
  /** Entry names sorted bytewise, or undefined when `p` is not a readable directory. */
  readDir(p: string): string[] | undefined;
}

/** io/fs.ValidPath. */
export function validFsPath(p: string): boolean {
  if (p === ".") return true;
  if (p === "") return false;
  for (const el of p.split("/")) if (el === "" || el === "." || el === "..") return false;
  return true;
}

const hasGoMeta = (p: string): boolean => /[*?[\\]/.test(p);

/** Go `io/fs.Glob` (I/O errors ignored, results in directory order); throws BadPatternError. */
export function goFsGlob(fsys: GlobFs, pattern: string): string[] {
  return fsGlob(fsys, pattern, 0);
}

function fsGlob(fsys: GlobFs, pattern: string, depth: number): string[] {
  if (depth > 10000) throw new BadPatternError();
  goPathMatch(pattern, "");
  if (!hasGoMeta(pattern)) return fsys.exists(pattern) ? [pattern] : [];
  const cut = pattern.lastIndexOf("/");
  let dir = pattern.slice(0, cut + 1);
  const file = pattern.slice(cut + 1);
  dir = dir === "" ? "." : dir.slice(0, -1);
  if (!hasGoMeta(dir)) return globDir(fsys, dir, file, []);
  if (dir === pattern) throw new BadPatternError();
  let m: string[] = [];
  for (const d of fsGlob(fsys, dir, depth + 1)) m = globDir(fsys, d, file, m);
  return m;
}

function globDir(fsys: GlobFs, dir: string, pattern: string, m: string[]): string[] {
  const names = fsys.readDir(dir);
  if (!names) return m;
  for (const n of names) if (goPathMatch(pattern, n)) m.push(dir === "." ? n : `${dir}/${n}`);
  return m;
}

// ---------------------------------------------------------------------------------------------------------
// doublestar/v4

/** doublestar.Match (validating): throws BadPatternError where doublestar returns ErrBadPattern. */
export function doublestarMatch(pattern: string, name: string): boolean {
  return dsMatch(enc(pattern), enc(name), true, -1, -1, -1, -1, 0, 0);
}

/** doublestar.MatchUnvalidated. */
export function doublestarMatchUnvalidated(pattern: string, name: string): boolean {
  try {
    return dsMatch(enc(pattern), enc(name), false, -1, -1, -1, -1, 0, 0);
  } catch {
    return false;
  }
}

/** doublestar.ValidatePattern. */
export function doublestarValidate(pattern: string): boolean {
  return dsValidate(enc(pattern));
}

const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

function dsMatch(
  pattern: Uint8Array,
  name: Uint8Array,
  validate: boolean,
  dsPatBack: number,
  dsNameBack: number,
  starPatBack: number,
  starNameBack: number,
  patIdx: number,
  nameIdx: number,
): boolean {
  const patLen = pattern.length;
  const nameLen = name.length;
  let startOfSegment = true;
  match: while (nameIdx < nameLen) {
    if (patIdx < patLen) {
      const pc = pattern[patIdx]!;
      let fell = false;
      if (pc === 0x2a) {
        patIdx++;
        if (patIdx < patLen && pattern[patIdx] === 0x2a) {
          patIdx++;
          if (startOfSegment) {
            if (patIdx >= patLen) return true;
            const [pr, prl] = decodeRune(pattern, patIdx);
            if (pr === SLASH) {
              patIdx += prl;
              dsPatBack = patIdx;
              dsNameBack = nameIdx;
              starPatBack = -1;
              starNameBack = -1;
              continue;
            }
          }
        }
        startOfSegment = false;
        starPatBack = patIdx;
        starNameBack = nameIdx;
        continue;
      } else if (pc === 0x3f) {
        startOfSegment = false;
        const [nr, nrl] = decodeRune(name, nameIdx);
        if (nr !== SLASH) {
          patIdx++;
          nameIdx += nrl;
          continue;
        }
      } else if (pc === 0x5b) {
        startOfSegment = false;
        patIdx++;
        if (patIdx >= patLen) throw new BadPatternError();
        const [nr, nrl] = decodeRune(name, nameIdx);
        let matched = false;
        const negate = pattern[patIdx] === 0x21 || pattern[patIdx] === 0x5e;
        if (negate) patIdx++;
        if (patIdx >= patLen || pattern[patIdx] === 0x5d) throw new BadPatternError();
        let last = 0x10ffff;
        while (patIdx < patLen && pattern[patIdx] !== 0x5d) {
          let [pr, prl] = decodeRune(pattern, patIdx);
          patIdx += prl;
          if (last < 0x10ffff && pr === 0x2d && patIdx < patLen && pattern[patIdx] !== 0x5d) {
            if (pattern[patIdx] === 0x5c) patIdx++;
            [pr, prl] = decodeRune(pattern, patIdx);
            patIdx += prl;
            if (last <= nr && nr <= pr) {
              matched = true;
              break;
            }
            last = 0x10ffff;
            continue;
          }
          if (pr === 0x5c) {
            [pr, prl] = decodeRune(pattern, patIdx);
            patIdx += prl;
          }
          if (pr === nr) {
            matched = true;
            break;
          }
          last = pr;
        }
        if (matched === negate) {
          if (patIdx >= patLen) throw new BadPatternError();
        } else {
          const closing = indexUnescapedByte(pattern.subarray(patIdx), 0x5d, true);
          if (closing === -1) throw new BadPatternError();
          patIdx += closing + 1;
          nameIdx += nrl;
          continue;
        }
      } else if (pc === 0x7b) {
        startOfSegment = false;
        const beforeIdx = patIdx;
        patIdx++;
        let closing = indexMatchedClosingAlt(pattern.subarray(patIdx), true);
        if (closing === -1) throw new BadPatternError();
        closing += patIdx;
        for (;;) {
          let comma = indexNextAlt(pattern.subarray(patIdx, closing), true);
          if (comma === -1) break;
          comma += patIdx;
          const alt = concat(
            pattern.subarray(0, beforeIdx),
            pattern.subarray(patIdx, comma),
            pattern.subarray(closing + 1),
          );
          if (
            dsMatch(alt, name, validate, dsPatBack, dsNameBack, starPatBack, starNameBack, beforeIdx, nameIdx)
          )
            return true;
          patIdx = comma + 1;
        }
        const alt = concat(
          pattern.subarray(0, beforeIdx),
          pattern.subarray(patIdx, closing),
          pattern.subarray(closing + 1),
        );
        return dsMatch(
          alt,
          name,
          validate,
          dsPatBack,
          dsNameBack,
          starPatBack,
          starNameBack,
          beforeIdx,
          nameIdx,
        );
      } else {
        fell = true;
      }
      if (fell) {
        if (pc === 0x5c) {
          patIdx++;
          if (patIdx >= patLen) throw new BadPatternError();
        }
        const [pr, prl] = decodeRune(pattern, patIdx);
        const [nr, nrl] = decodeRune(name, nameIdx);
        if (pr === nr) {
          patIdx += prl;
          nameIdx += nrl;
          startOfSegment = pr === SLASH;
          continue;
        }
        if (patIdx > 0 && pattern[patIdx - 1] === 0x5c) patIdx--;
      }
    }
    if (starPatBack >= 0) {
      const [nr, nrl] = decodeRune(name, starNameBack);
      if (nr !== SLASH) {
        starNameBack += nrl;
        patIdx = starPatBack;
        nameIdx = starNameBack;
        startOfSegment = false;
        continue;
      }
    }
    if (dsPatBack >= 0) {
      nameIdx = dsNameBack;
      while (nameIdx < nameLen) {
        const [nr, nrl] = decodeRune(name, nameIdx);
        nameIdx += nrl;
        if (nr === SLASH) {
          dsNameBack = nameIdx;
          patIdx = dsPatBack;
          startOfSegment = true;
          continue match;
        }
      }
    }
    if (validate && patIdx < patLen && !dsValidate(pattern.subarray(patIdx))) throw new BadPatternError();
    return false;
  }
  return isZeroLengthPattern(pattern.subarray(patIdx), validate);
}

function isZeroLengthPattern(p: Uint8Array, validate: boolean): boolean {
  const s = Buffer.from(p).toString("latin1");
  if (s === "" || s === "*" || s === "**" || s === "/**" || s === "**/" || s === "/**/") return true;
  if (p[0] === 0x7b) {
    let closing = indexMatchedClosingAlt(p.subarray(1), true);
    if (closing === -1) throw new BadPatternError();
    closing += 1;
    let patIdx = 1;
    for (;;) {
      let comma = indexNextAlt(p.subarray(patIdx, closing), true);
      if (comma === -1) break;
      comma += patIdx;
      if (isZeroLengthPattern(concat(p.subarray(patIdx, comma), p.subarray(closing + 1)), validate))
        return true;
      patIdx = comma + 1;
    }
    return isZeroLengthPattern(concat(p.subarray(patIdx, closing), p.subarray(closing + 1)), validate);
  }
  if (validate && !dsValidate(p)) throw new BadPatternError();
  return false;
}

function indexUnescapedByte(s: Uint8Array, c: number, allowEscaping: boolean): number {
  for (let i = 0; i < s.length; i++) {
    if (allowEscaping && s[i] === 0x5c) i++;
    else if (s[i] === c) return i;
  }
  return -1;
}

function indexMatchedClosingAlt(s: Uint8Array, allowEscaping: boolean): number {
  let alts = 1;
  for (let i = 0; i < s.length; i++) {
    if (allowEscaping && s[i] === 0x5c) i++;
    else if (s[i] === 0x7b) alts++;
    else if (s[i] === 0x7d && --alts === 0) return i;
  }
  return -1;
}

function indexNextAlt(s: Uint8Array, allowEscaping: boolean): number {
  let alts = 1;
  for (let i = 0; i < s.length; i++) {
    if (allowEscaping && s[i] === 0x5c) i++;
    else if (s[i] === 0x7b) alts++;
    else if (s[i] === 0x7d) alts--;
    else if (s[i] === 0x2c && alts === 1) return i;
  }
  return -1;
}

function dsValidate(s: Uint8Array): boolean {
  let altDepth = 0;
  const l = s.length;
  outer: for (let i = 0; i < l; i++) {
    switch (s[i]) {
      case 0x5c:
        if (++i >= l) return false;
        continue;
      case 0x5b:
        if (++i >= l) return false;
        if (s[i] === 0x5e || s[i] === 0x21) i++;
        if (i >= l || s[i] === 0x5d) return false;
        for (; i < l; i++) {
          if (s[i] === 0x5c) i++;
          else if (s[i] === 0x5d) continue outer;
        }
        return false;
      case 0x7b:
        altDepth++;
        continue;
      case 0x7d:
        if (altDepth === 0) return false;
        altDepth--;
        continue;
    }
  }
  return altDepth === 0;
}
