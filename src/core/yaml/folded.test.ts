import { describe, expect, it } from "vitest";
import { writeFolded } from "./folded.ts";

/** goyaml.v3's folded writer as it is written, character by character (the reference for writeFolded). */
function writeFoldedByCharacter(value: string): string {
  // `k := 0` in goyaml.v3: whether the value starts blank after its leading breaks (or is only breaks).
  const startsBlank = /^\n*(?:[ \t]|$)/.test(value);
  let [out, breaks, leadingSpaces] = ["", true, true];
  for (const c of value) {
    if (c === "\n") {
      if (!breaks && !leadingSpaces && !startsBlank) out += "\n";
      out += "\n";
      breaks = true;
    } else {
      if (breaks) leadingSpaces = c === " " || c === "\t";
      out += c;
      breaks = false;
    }
  }
  return out;
}

describe("writeFolded", () => {
  it("writes what goyaml.v3's character loop writes", () => {
    const alphabet = ["a", "b", " ", "\t", "\n", "\n", "xyz"];
    let seed = 5;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 5000; i++) {
      let s = "";
      for (let j = Math.floor(rnd() * 14); j > 0; j--) s += alphabet[Math.floor(rnd() * alphabet.length)];
      expect(writeFolded(s), JSON.stringify(s)).toBe(writeFoldedByCharacter(s));
    }
  });
});
