/**
 * kustomize does not hand a folded (`>`) scalar over as YAML defines it: kyaml re-encodes every resource with
 * goyaml.v3 (which keeps the folded style) and decodes it again. goyaml.v3's folded writer tests for a leading
 * blank at the start of the whole value instead of at the current line (`k := 0`), so it writes an extra empty
 * line after most lines, and reading that back keeps some of them as line breaks. This reproduces the round trip
 * (without line-width wrapping, which only matters for more-indented lines beyond 80 columns).
 */
export function foldedRoundTrip(value: string): string {
  return scanFolded(writeFolded(value), chompOf(value));
}

/** The body goyaml.v3 writes for a folded scalar, de-indented (lines joined by `\n`). */
export function writeFolded(value: string): string {
  let k = 0;
  while (value[k] === "\n") k++;
  const startsBlank = k >= value.length || value[k] === " " || value[k] === "\t";
  // goyaml.v3 goes character by character; only the line breaks matter, so this goes line by line.
  let out = "";
  /** Whether the last character was a break (or there was none). */
  let breaks = true;
  /** Whether the last non-empty line started with a blank. */
  let leadingSpaces = true;
  for (let i = 0; i < value.length; ) {
    const nl = value.indexOf("\n", i);
    const end = nl < 0 ? value.length : nl;
    if (end > i) {
      leadingSpaces = value[i] === " " || value[i] === "\t";
      out += value.slice(i, end);
      breaks = false;
    }
    if (nl < 0) break;
    if (!breaks && !leadingSpaces && !startsBlank) out += "\n";
    out += "\n";
    breaks = true;
    i = nl + 1;
  }
  return out;
}

/** The chomping indicator goyaml.v3 writes: strip without a final break, keep with two or a lone break. */
function chompOf(value: string): "strip" | "clip" | "keep" {
  if (value.length === 0 || !value.endsWith("\n")) return "strip";
  if (value.length === 1 || value[value.length - 2] === "\n") return "keep";
  return "clip";
}

/** libyaml's folded block scanner over a de-indented body. */
function scanFolded(body: string, chomp: "strip" | "clip" | "keep"): string {
  const lines = body.split("\n");
  // The text after the last break is the (possibly empty) last line; a trailing "" means the body ended in a break.
  let s = "";
  let leadingBreak = "";
  let trailingBreaks = "";
  let leadingBlank = false;
  let started = false;
  for (let j = 0; j < lines.length; j++) {
    const line = lines[j]!;
    const last = j === lines.length - 1;
    if (line === "") {
      // An empty line between content lines is a break; the final "" is just the end of the body.
      if (!last) {
        if (started) trailingBreaks += "\n";
        else trailingBreaks += "\n";
      }
      continue;
    }
    const trailingBlank = line[0] === " " || line[0] === "\t";
    if (!leadingBlank && !trailingBlank && leadingBreak === "\n") {
      if (trailingBreaks === "") s += " ";
    } else {
      s += leadingBreak;
    }
    leadingBreak = "";
    s += trailingBreaks;
    trailingBreaks = "";
    leadingBlank = trailingBlank;
    s += line;
    started = true;
    leadingBreak = last ? "" : "\n";
  }
  if (chomp !== "strip") s += leadingBreak;
  if (chomp === "keep") s += trailingBreaks;
  return s;
}
