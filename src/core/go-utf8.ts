/** Go's utf8.RuneError. */
export const RUNE_ERROR = 0xfffd;

/**
 * Go's utf8.DecodeRune over bytes read through `byteAt` (undefined past the end): [rune, size]. Size 0 at the end,
 * [RuneError, 1] for an invalid or truncated sequence, exactly as Go walks invalid UTF-8.
 */
export function decodeRuneAt(byteAt: (i: number) => number | undefined, i: number): [number, number] {
  const c0 = byteAt(i);
  if (c0 === undefined) return [RUNE_ERROR, 0];
  if (c0 < 0x80) return [c0, 1];
  const cont = (k: number): number => {
    const c = byteAt(i + k);
    return c !== undefined && (c & 0xc0) === 0x80 ? c & 0x3f : -1;
  };
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [RUNE_ERROR, 1] : [((c0 & 0x1f) << 6) | c1, 2];
  }
  if (c0 >= 0xe0 && c0 <= 0xef) {
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 < 0 || c2 < 0) return [RUNE_ERROR, 1];
    const r = ((c0 & 0x0f) << 12) | (c1 << 6) | c2;
    return r < 0x800 || (r >= 0xd800 && r <= 0xdfff) ? [RUNE_ERROR, 1] : [r, 3];
  }
  if (c0 >= 0xf0 && c0 <= 0xf4) {
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return [RUNE_ERROR, 1];
    const r = ((c0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    return r < 0x10000 || r > 0x10ffff ? [RUNE_ERROR, 1] : [r, 4];
  }
  return [RUNE_ERROR, 1];
}
