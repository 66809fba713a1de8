/**
 * Go `regexp` (RE2 syntax) to JavaScript. kustomize matches selector fields and `[name=value]` path elements with
 * Go regexps, so patterns must mean what Go means and bad ones must fail with Go's message. Only match/no-match is
 * ever asked, so greediness (`(?U)`, `*?`) is irrelevant and captures become non-capturing groups. Go's `.`, `^`,
 * `$` and `\s` differ from JS in which line terminators and spaces they cover, so they are emitted explicitly and only
 * `i` is left to JS modifiers.
 */

export type GoRegexpResult = { ok: true; re: RegExp } | { ok: false; error: string };

const cache = new Map<string, GoRegexpResult>();

/** Compiles like Go's regexp.Compile; the error text is Go's (`error parsing regexp: ...`). */
export function compileGoRegexp(pattern: string): GoRegexpResult {
  let hit = cache.get(pattern);
  if (!hit) {
    hit = translate(pattern);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, hit);
  }
  return hit;
}

/** kustomize's anchorRegex: an empty pattern stays empty (it then selects everything). */
export function anchorGoRegexp(pattern: string): string {
  return pattern === "" ? "" : `^(?:${pattern})$`;
}

class GoSyntaxError extends Error {
  constructor(code: string, arg: string) {
    super(`error parsing regexp: ${code}: \`${arg}\``);
  }
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
}

interface Frame {
  flags: Flags;
  /** Modifier groups opened by a bare `(?i)` inside this frame; closed at `|` and `)`. */
  extra: number;
  /** Flags to reopen after `|` for bare flag groups, in order. */
  reopen: Flags[];
}

const ANY = "[\\s\\S]";
const GO_SPACE = "\\t\\n\\f\\r ";
const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

function translate(src: string): GoRegexpResult {
  try {
    const body = new Translator(src).run();
    return { ok: true, re: new RegExp(body, "u") };
  } catch (e) {
    if (e instanceof GoSyntaxError) return { ok: false, error: e.message };
    // A construct Go accepts but this translation cannot express; report rather than guess.
    return { ok: false, error: `error parsing regexp: unsupported in this implementation: \`${src}\`` };
  }
}

function modifier(f: Flags): string {
  return f.i ? "(?i:" : "(?-i:";
}

function hexDigit(c: string): number {
  return /^[0-9A-Fa-f]$/.test(c) ? Number.parseInt(c, 16) : -1;
}

function isAlnum(c: string): boolean {
  return /^[0-9A-Za-z]$/.test(c);
}

/** A code point as a JS `u`-mode literal, safe inside and outside classes. */
function lit(cp: number, inClass = false): string {
  const c = String.fromCodePoint(cp);
  // `u` mode rejects escapes of non-syntax characters, and `-` is escapable only inside a class.
  if ((inClass ? "\\]^-[" : "\\^$.*+?()[]{}|/").includes(c)) return `\\${c}`;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || cp === 0x2028 || cp === 0x2029)
    return `\\u{${cp.toString(16)}}`;
  return c;
}

class Translator {
  private pos = 0;
  private readonly src: string;
  private readonly chars: string[];
  private out = "";
  private readonly stack: Frame[] = [];
  private frame: Frame;
  /** Whether the last emitted item can take a repetition operator. */
  private operand = false;
  /** Text of the previous repetition operator, to reject `a**` as Go does. */
  private lastRepeat = "";

  constructor(src: string) {
    this.src = src;
    this.chars = Array.from(src);
    this.frame = { flags: { i: false, m: false, s: false }, extra: 0, reopen: [] };
  }

  private peek(o = 0): string | undefined {
    return this.chars[this.pos + o];
  }

  private rest(): string {
    return this.chars.slice(this.pos).join("");
  }

  run(): string {
    while (this.pos < this.chars.length) {
      const c = this.chars[this.pos] as string;
      const repeatStart = this.pos;
      if (c === "*" || c === "+" || c === "?") {
        this.pos++;
        if (this.peek() === "?") this.pos++;
        this.repeat(repeatStart, c === "*" ? "*" : c === "+" ? "+" : "?");
        continue;
      }
      if (c === "{") {
        const rep = this.tryRepeatCount();
        if (rep !== undefined) {
          if (this.peek() === "?") this.pos++;
          this.repeat(repeatStart, rep);
          continue;
        }
      }
      this.lastRepeat = "";
      switch (c) {
        case "(":
          this.openGroup();
          break;
        case ")":
          this.closeGroup();
          break;
        case "|":
          this.pos++;
          this.closeExtra();
          this.out += "|";
          this.reopenExtra();
          this.operand = false;
          break;
        case "[":
          this.item(this.parseClass());
          break;
        case ".":
          this.pos++;
          this.item(this.frame.flags.s ? ANY : "[^\\n]");
          break;
        case "^":
          this.pos++;
          this.item(this.frame.flags.m ? "(?:(?<![^\\n]))" : "(?:(?<![\\s\\S]))");
          break;
        case "$":
          this.pos++;
          this.item(this.frame.flags.m ? "(?:(?![^\\n]))" : "(?:(?![\\s\\S]))");
          break;
        case "\\":
          this.escapeOutside();
          break;
        default:
          this.pos++;
          this.item(lit(c.codePointAt(0) as number));
      }
    }
    if (this.stack.length > 0) throw new GoSyntaxError("missing closing )", this.src);
    this.closeExtra();
    return this.out;
  }

  private item(js: string): void {
    this.out += js;
    this.operand = true;
  }

  private repeat(start: number, js: string): void {
    const text = this.chars.slice(start, this.pos).join("");
    if (this.lastRepeat !== "")
      throw new GoSyntaxError("invalid nested repetition operator", this.lastRepeat + text);
    if (!this.operand) throw new GoSyntaxError("missing argument to repetition operator", text);
    // Wrap the operand so JS never sees a quantified assertion or a doubled quantifier.
    this.out += js;
    this.lastRepeat = text;
  }

  /** `{n}`, `{n,}`, `{n,m}` as Go reads them; anything else is a literal `{`. */
  private tryRepeatCount(): string | undefined {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.rest());
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? -1 : Number(m[3]);
    this.pos += Array.from(m[0]).length;
    if (min > 1000 || max > 1000 || (max >= 0 && min > max))
      throw new GoSyntaxError("invalid repeat count", m[0]);
    return max === -1 ? `{${min},}` : max === min ? `{${min}}` : `{${min},${max}}`;
  }

  private openGroup(): void {
    const start = this.pos;
    this.pos++;
    if (this.peek() !== "?") {
      this.push();
      return;
    }
    const rest = this.rest();
    // Go 1.22+ reads both `(?P<name>` and `(?<name>` (so lookbehind fails as a bad named capture).
    if ((rest.length > 3 && rest.startsWith("?P<")) || (rest.length > 2 && rest.startsWith("?<"))) {
      const whole = this.chars.slice(start).join("");
      const end = whole.indexOf(">");
      if (end < 0) throw new GoSyntaxError("invalid named capture", whole);
      const capture = whole.slice(0, end + 1);
      const name = capture.slice(rest.startsWith("?P<") ? 4 : 3, -1);
      if (!/^[A-Za-z0-9_]+$/.test(name)) throw new GoSyntaxError("invalid named capture", capture);
      this.pos = start + Array.from(capture).length;
      this.push();
      return;
    }
    // Flags: (?flags) or (?flags:re)
    this.pos++;
    const flags = { ...this.frame.flags };
    let sign = 1;
    let sawFlag = false;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new GoSyntaxError("missing closing )", this.src);
      this.pos++;
      if (c === "i" || c === "m" || c === "s" || c === "U") {
        if (c !== "U") flags[c] = sign > 0;
        sawFlag = true;
        continue;
      }
      if (c === "-") {
        if (sign < 0) break;
        sign = -1;
        sawFlag = false;
        continue;
      }
      if (c === ":" || c === ")") {
        if (sign < 0 && !sawFlag) break;
        if (c === ":") {
          this.push(flags);
        } else {
          // A bare flag group changes flags up to the end of the enclosing group.
          const changed = flags.i !== this.frame.flags.i;
          this.frame.flags = flags;
          if (changed) {
            this.out += modifier(flags);
            this.frame.extra++;
            this.frame.reopen.push({ ...flags });
          }
          this.operand = false;
        }
        return;
      }
      break;
    }
    throw new GoSyntaxError("invalid or unsupported Perl syntax", this.chars.slice(start, this.pos).join(""));
  }

  private push(flags?: Flags): void {
    this.stack.push(this.frame);
    const f = flags ?? { ...this.frame.flags };
    this.out += flags && flags.i !== this.frame.flags.i ? modifier(flags) : "(?:";
    this.frame = { flags: f, extra: 0, reopen: [] };
    this.operand = false;
  }

  private closeGroup(): void {
    const prev = this.stack.pop();
    if (!prev) throw new GoSyntaxError("unexpected )", this.src);
    this.pos++;
    this.closeExtra();
    this.out += ")";
    this.frame = prev;
    this.operand = true;
  }

  private closeExtra(): void {
    this.out += ")".repeat(this.frame.extra);
  }

  private reopenExtra(): void {
    for (const f of this.frame.reopen) this.out += modifier(f);
  }

  private escapeOutside(): void {
    const c = this.peek(1);
    if (c === undefined) throw new GoSyntaxError("trailing backslash at end of expression", "");
    switch (c) {
      case "A":
        this.pos += 2;
        this.item("(?:(?<![\\s\\S]))");
        return;
      case "z":
        this.pos += 2;
        this.item("(?:(?![\\s\\S]))");
        return;
      case "b":
      case "B":
        this.pos += 2;
        this.item(`(?:\\${c})`);
        return;
      case "Q": {
        this.pos += 2;
        const rest = this.rest();
        const end = rest.indexOf("\\E");
        const text = end < 0 ? rest : rest.slice(0, end);
        this.pos += Array.from(text).length + (end < 0 ? 0 : 2);
        const cps = Array.from(text);
        // Go makes each literal its own operand, so a following `*` binds to the last one only.
        cps.forEach((ch, i) => {
          if (i === cps.length - 1) this.item(lit(ch.codePointAt(0) as number));
          else this.out += lit(ch.codePointAt(0) as number);
        });
        return;
      }
    }
    const perl = this.perlClass(false);
    if (perl !== undefined) {
      this.item(perl);
      return;
    }
    this.item(lit(this.escapeChar()));
  }

  /** `\d \s \w \p{..}` and negations; inside a class the caller gets a set usable in `(?:...|...)`. */
  private perlClass(inClass: boolean): string | undefined {
    const c = this.peek(1);
    switch (c) {
      case "d":
      case "D":
      case "w":
      case "W":
        this.pos += 2;
        return inClass ? `[\\${c}]` : `\\${c}`;
      case "s":
        this.pos += 2;
        return `[${GO_SPACE}]`;
      case "S":
        this.pos += 2;
        return `[^${GO_SPACE}]`;
      case "p":
      case "P":
        return this.unicodeClass(c === "P");
    }
    return undefined;
  }

  private unicodeClass(negated: boolean): string {
    const start = this.pos;
    this.pos += 2;
    let name: string;
    const c = this.peek();
    if (c === undefined)
      throw new GoSyntaxError("invalid character class range", this.chars.slice(start).join(""));
    if (c === "{") {
      const rest = this.rest();
      const end = rest.indexOf("}");
      if (end < 0) throw new GoSyntaxError("invalid character class range", this.chars.slice(start).join(""));
      name = rest.slice(1, end);
      this.pos += Array.from(rest.slice(0, end + 1)).length;
    } else {
      name = c;
      this.pos++;
    }
    const seq = this.chars.slice(start, this.pos).join("");
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    if (name === "Any") return negated ? "[^\\s\\S]" : ANY;
    const prop = name.length <= 2 ? name : `Script=${name}`;
    const js = `\\${negated ? "P" : "p"}{${prop}}`;
    try {
      new RegExp(js, "u");
    } catch {
      throw new GoSyntaxError("invalid character class range", seq);
    }
    return `[${js}]`;
  }

  /** A single escaped character (Go parseEscape), returning its code point; `pos` is at the backslash. */
  private escapeChar(): number {
    const start = this.pos;
    this.pos++;
    const c = this.peek();
    if (c === undefined) throw new GoSyntaxError("trailing backslash at end of expression", "");
    this.pos++;
    if (c >= "1" && c <= "7") {
      // Go reads \1-\7 as octal only when another digit follows; alone it would be a backreference.
      const n = this.peek();
      if (n === undefined || n < "0" || n > "7") throw new GoSyntaxError("invalid escape sequence", `\\${c}`);
    }
    if (c >= "0" && c <= "7") {
      let v = Number(c);
      for (let k = 0; k < 2; k++) {
        const d = this.peek();
        if (d === undefined || d < "0" || d > "7") break;
        v = v * 8 + Number(d);
        this.pos++;
      }
      return v;
    }
    switch (c) {
      case "x": {
        const bad = () =>
          new GoSyntaxError("invalid escape sequence", this.chars.slice(start, this.pos).join(""));
        let h = this.peek();
        if (h === undefined) throw bad();
        this.pos++;
        if (h === "{") {
          // Any number of hex digits in braces; Go stops at the first bad digit or once past U+10FFFF.
          let v = 0;
          let n = 0;
          for (;;) {
            h = this.peek();
            if (h === undefined) throw bad();
            this.pos++;
            if (h === "}") break;
            const d = hexDigit(h);
            if (d < 0) throw bad();
            v = v * 16 + d;
            if (v > 0x10ffff) throw bad();
            n++;
          }
          if (n === 0) throw bad();
          return v;
        }
        const x = hexDigit(h);
        const l = this.peek();
        if (l === undefined) throw bad();
        this.pos++;
        const y = hexDigit(l);
        if (x < 0 || y < 0) throw bad();
        return x * 16 + y;
      }
      case "a":
        return 7;
      case "f":
        return 12;
      case "n":
        return 10;
      case "r":
        return 13;
      case "t":
        return 9;
      case "v":
        return 11;
    }
    const cp = c.codePointAt(0) as number;
    if (cp < 0x80 && !isAlnum(c)) return cp;
    throw new GoSyntaxError("invalid escape sequence", `\\${c}`);
  }

  /** A bracket expression; emitted as a JS class or, when Go sets need it, an alternation of sets. */
  private parseClass(): string {
    const start = this.pos;
    const whole = this.chars.slice(start).join("");
    this.pos++;
    let negated = false;
    if (this.peek() === "^") {
      negated = true;
      this.pos++;
    }
    let simple = "";
    const sets: string[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new GoSyntaxError("missing closing ]", whole);
      if (c === "]" && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === "[" && this.peek(1) === ":") {
        const m = /^\[:(\^?)([a-z]*):\]/.exec(this.rest());
        if (m) {
          const body = POSIX[m[2] as string];
          if (body === undefined) throw new GoSyntaxError("invalid character class range", m[0]);
          this.pos += m[0].length;
          if (m[1] === "^") sets.push(`[^${body}]`);
          else simple += body;
          continue;
        }
      }
      if (c === "\\") {
        const perl = this.perlClass(true);
        if (perl !== undefined) {
          sets.push(perl);
          continue;
        }
      }
      const rangeStart = this.pos;
      const lo = this.classChar(whole);
      let hi = lo;
      if (this.peek() === "-" && this.peek(1) !== undefined && this.peek(1) !== "]") {
        this.pos++;
        hi = this.classChar(whole);
        if (hi < lo)
          throw new GoSyntaxError(
            "invalid character class range",
            this.chars.slice(rangeStart, this.pos).join(""),
          );
      }
      simple += hi === lo ? lit(lo, true) : `${lit(lo, true)}-${lit(hi, true)}`;
    }
    if (sets.length === 0) return negated ? `[^${simple}]` : simple === "" ? "[^\\s\\S]" : `[${simple}]`;
    const alts = simple === "" ? sets : [`[${simple}]`, ...sets];
    const union = `(?:${alts.join("|")})`;
    return negated ? `(?:(?!${union})${ANY})` : union;
  }

  private classChar(whole: string): number {
    const c = this.peek();
    if (c === undefined) throw new GoSyntaxError("missing closing ]", whole);
    if (c === "\\") return this.escapeChar();
    this.pos++;
    return c.codePointAt(0) as number;
  }
}
