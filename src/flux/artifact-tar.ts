import { gunzipSync } from "node:zlib";

/**
 * What fluxcd/pkg/tar `Untar` (v1.2, default options) reads out of a `.tar.gz`/`.tgz` for the Extract copy
 * strategy: Go archive/tar headers (ustar prefix, GNU long names, PAX path/size), regular files and
 * directories only — a symlink or any other entry type fails the whole extraction, as does an unsafe name
 * or more than 100 MiB of content.
 */

export interface TarEntry {
  /** The header name as written (validated, not cleaned). */
  name: string;
  kind: "file" | "dir";
  data: Buffer;
}

export const MAX_UNTAR_SIZE = 100 * 1024 * 1024;

export class UntarError extends Error {}

export function untarGz(gz: Uint8Array): TarEntry[] {
  let buf: Buffer;
  try {
    buf = gunzipSync(gz);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (gz.length < 2 || gz[0] !== 0x1f || gz[1] !== 0x8b) {
      throw new UntarError(`requires gzip-compressed body: gzip: invalid header`);
    }
    throw new UntarError(
      `tar error: ${code === "Z_BUF_ERROR" ? "unexpected EOF" : "gzip: invalid checksum"}`,
    );
  }
  const out: TarEntry[] = [];
  let off = 0;
  let processed = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  const global: Record<string, string> = {};
  for (;;) {
    if (off + 512 > buf.length) {
      if (off >= buf.length) break;
      throw new UntarError("tar error: unexpected EOF");
    }
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    if (!checksumOk(h)) throw new UntarError("tar error: archive/tar: invalid tar header");
    const type = String.fromCharCode(h[156]!);
    const size = parseNumeric(h.subarray(124, 136));
    const dataStart = off + 512;
    const dataEnd = dataStart + size;
    if (dataEnd > buf.length) throw new UntarError("tar error: unexpected EOF");
    const data = buf.subarray(dataStart, dataEnd);
    off = dataStart + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = cstr(data);
      continue;
    }
    if (type === "K") continue;
    if (type === "x" || type === "g") {
      const recs = parsePax(data);
      if (type === "g") Object.assign(global, recs);
      else pax = recs;
      continue;
    }
    const magic = h.subarray(257, 263).toString("latin1");
    let name = cstr(h.subarray(0, 100));
    if (magic === "ustar\u0000") {
      const prefix = cstr(h.subarray(345, 500));
      if (prefix !== "") name = `${prefix}/${name}`;
    }
    const merged = { ...global, ...pax };
    if (longName !== undefined) name = longName;
    if (merged.path !== undefined) name = merged.path;
    let entrySize = size;
    if (merged.size !== undefined && /^\d+$/.test(merged.size)) entrySize = Number(merged.size);
    longName = undefined;
    pax = {};
    let t = type;
    if (t === "\u0000") t = name.endsWith("/") ? "5" : "0";
    processed += entrySize;
    if (processed > MAX_UNTAR_SIZE) {
      throw new UntarError(
        `tar ${JSON.stringify(name)} is bigger than max archive size of ${MAX_UNTAR_SIZE} bytes`,
      );
    }
    if (name === "" || name.includes("\\") || name.startsWith("/") || name.includes("../")) {
      throw new UntarError(`tar contained invalid name error ${JSON.stringify(name)}`);
    }
    const mode = parseNumeric(h.subarray(100, 108));
    const isDir = t === "5" || (mode & 0o40000) !== 0;
    // Go's FileInfo: hard links and contiguous files carry no type bits, so they are "regular".
    if (isDir) out.push({ name, kind: "dir", data: Buffer.alloc(0) });
    else if (t === "0" || t === "7" || t === "1")
      out.push({ name, kind: "file", data: t === "1" ? Buffer.alloc(0) : data });
    else if (t === "2") {
      throw new UntarError(`tar file entry ${name} is a symlink, which is not allowed in this context`);
    } else throw new UntarError(`tar file entry ${name} contained unsupported file type`);
  }
  return out;
}

function cstr(b: Uint8Array): string {
  const z = b.indexOf(0);
  return Buffer.from(z < 0 ? b : b.subarray(0, z)).toString("utf8");
}

function parseNumeric(b: Uint8Array): number {
  if (b.length > 0 && (b[0]! & 0x80) !== 0) {
    // base-256 (GNU): big-endian, first byte's high bit is the marker.
    let n = b[0]! & 0x7f;
    for (let i = 1; i < b.length; i++) n = n * 256 + b[i]!;
    return n;
  }
  const s = Buffer.from(b).toString("latin1").replace(/\0.*$/s, "").trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new UntarError("tar error: archive/tar: invalid tar header");
  return Number.parseInt(s, 8);
}

function checksumOk(h: Uint8Array): boolean {
  let want: number;
  try {
    want = parseNumeric(h.subarray(148, 156));
  } catch {
    return false;
  }
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  return want === unsigned || want === signed;
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let s = Buffer.from(data);
  while (s.length > 0) {
    const sp = s.indexOf(0x20);
    if (sp < 0) throw new UntarError("tar error: archive/tar: invalid tar header");
    const len = Number(s.subarray(0, sp).toString("latin1"));
    if (!Number.isInteger(len) || len <= sp || len > s.length)
      throw new UntarError("tar error: archive/tar: invalid tar header");
    const rec = s.subarray(sp + 1, len - 1).toString("utf8");
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    s = s.subarray(len);
  }
  return out;
}
