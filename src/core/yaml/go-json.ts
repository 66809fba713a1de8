import { isMap, type Value } from "./value.ts";

/**
 * Go's encoding/json.Marshal of a decoded YAML value: map keys sorted bytewise, HTML-safe escaping of `<>&`,
 * U+2028/U+2029 escaped, float64 formatting as Go does it. kustomize hashes and emits through this encoding.
 */
export function goJsonMarshal(v: Value): string {
  const out: string[] = [];
  write(v, out);
  return out.join("");
}

function write(v: Value, out: string[]): void {
  if (v === null) out.push("null");
  else if (typeof v === "boolean") out.push(v ? "true" : "false");
  else if (typeof v === "bigint") out.push(v.toString());
  else if (typeof v === "number") out.push(formatGoJsonNumber(v));
  else if (typeof v === "string") out.push(goJsonString(v));
  else if (Array.isArray(v)) {
    out.push("[");
    v.forEach((x, i) => {
      if (i > 0) out.push(",");
      write(x, out);
    });
    out.push("]");
  } else if (isMap(v)) {
    out.push("{");
    sortedKeys(v).forEach((k, i) => {
      if (i > 0) out.push(",");
      out.push(goJsonString(k), ":");
      write(v[k] as Value, out);
    });
    out.push("}");
  }
}

/** Keys in Go's sort.Strings order (bytewise on UTF-8). */
export function sortedKeys(m: object): string[] {
  return Object.keys(m).sort(compareUtf8);
}

export function compareUtf8(a: string, b: string): number {
  // For strings without surrogates UTF-16 order equals UTF-8 byte order; fall back to bytes otherwise.
  if (!/[\ud800-\udfff]/.test(a) && !/[\ud800-\udfff]/.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

export function goJsonString(s: string): string {
  let r = '"';
  for (const ch of s) {
    const esc = ESCAPES[ch];
    if (esc !== undefined) r += esc;
    else {
      const c = ch.codePointAt(0)!;
      if (c < 0x20) r += `\\u00${c.toString(16).padStart(2, "0")}`;
      else if (c >= 0xd800 && c <= 0xdfff)
        r += "\\ufffd"; // a lone surrogate is invalid UTF-8 to Go
      else r += ch;
    }
  }
  return `${r}"`;
}

/** encoding/json's float64 text: shortest round-trip digits, exponent form below 1e-6 or from 1e21. */
export function formatGoJsonNumber(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${f}`);
  if (Object.is(f, -0)) return "-0";
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // JS gives "1.5e-7" / "1e+21"; Go gives "1.5e-07" then trims "e-07" to "e-7": the same as JS.
    return f
      .toExponential()
      .replace(/e([+-])(\d)$/, "e$10$2")
      .replace(/e-0(\d)$/, "e-$1");
  }
  // Shortest digits in plain notation, as strconv 'f' with precision -1.
  return plainDecimal(f);
}

/** Shortest round-trip digits of `f` written without exponent. */
export function plainDecimal(f: number): string {
  const s = String(f);
  if (!/e/i.test(s)) return s;
  const [mant, expStr] = s.toLowerCase().split("e") as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const pointAt =
    (mant.replace("-", "").indexOf(".") === -1
      ? mant.replace("-", "").length
      : mant.replace("-", "").indexOf(".")) + exp;
  let res: string;
  if (pointAt <= 0) res = `0.${"0".repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) res = digits + "0".repeat(pointAt - digits.length);
  else res = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return neg ? `-${res}` : res;
}
