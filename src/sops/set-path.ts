/**
 * `sops set` paths and values: `["key"]["sub"][0]` (the sops syntax; `key.sub` is accepted too) and a JSON value
 * (a bare word that is not JSON is taken as a string).
 */
import { isScalar, isMap as isYamlMap, isSeq as isYamlSeq, Scalar } from "yaml";
import { type Fail, fail } from "./cipher.ts";
import type { Body } from "./file.ts";
import type { TMap, TNode } from "./tree.ts";

export function parseSetPath(text: string): (string | number)[] | undefined {
  const t = text.trim();
  if (!t.startsWith("[")) return t === "" ? undefined : t.split(".");
  const out: (string | number)[] = [];
  const re = /\[(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\d+))\]/y;
  let i = 0;
  while (i < t.length) {
    re.lastIndex = i;
    const m = re.exec(t);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push(JSON.parse(`"${m[1]}"`) as string);
    else if (m[2] !== undefined) out.push(m[2]);
    else out.push(Number(m[3]));
    i = re.lastIndex;
  }
  return out.length > 0 ? out : undefined;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Sets one value in a decrypted body; intermediate mappings are created as needed. */
export function setValue(body: Body, pathText: string, valueText: string): { ok: true } | Fail {
  const keys = parseSetPath(pathText);
  if (!keys)
    return fail("bad-path", `invalid path ${JSON.stringify(pathText)}; use the sops form ["key"]["sub"]`);
  const value = parseValue(valueText);
  if (body.format === "binary")
    return fail("unsupported", "binary files have no paths; encrypt the new file instead");
  if (body.format === "yaml") {
    const doc = body.file.docs[0];
    if (!doc) return fail("bad-document", "the file has no document");
    let parent: unknown = doc.contents;
    for (const [n, k] of keys.entries()) {
      const last = n === keys.length - 1;
      if (typeof k === "number" ? !isYamlSeq(parent) : !isYamlMap(parent))
        return fail(
          "bad-path",
          `${keys.slice(0, n).join(".") || "(top level)"} is not a ${typeof k === "number" ? "list" : "mapping"}`,
        );
      const coll = parent as { get(k: unknown, keep: true): unknown; set(k: unknown, v: unknown): void };
      if (last) {
        const node = doc.createNode(value);
        if (isScalar(node) && typeof value === "string") (node as Scalar).type = Scalar.PLAIN;
        coll.set(k, node);
      } else {
        let next = coll.get(k, true);
        if (next === undefined) {
          next = doc.createNode(typeof keys[n + 1] === "number" ? [] : {});
          coll.set(k, next);
        }
        parent = next;
      }
    }
    return { ok: true };
  }
  let cur: TNode = body.file.branch;
  for (const [n, k] of keys.entries()) {
    const last = n === keys.length - 1;
    // dotenv and INI hold strings only.
    const leaf =
      body.format === "json"
        ? toNode(value)
        : toNode(typeof value === "string" ? value : JSON.stringify(value));
    if (typeof k === "number") {
      if (!Array.isArray(cur)) return fail("bad-path", `${keys.slice(0, n).join(".")} is not a list`);
      if (last) cur[k] = leaf;
      else cur = cur[k] ?? null;
      continue;
    }
    if (cur === null || Array.isArray(cur) || !("kind" in cur))
      return fail("bad-path", `${keys.slice(0, n).join(".") || "(top level)"} is not a mapping`);
    const m: TMap = cur;
    let item = m.items.find((i): i is { key: string; value: TNode } => "key" in i && i.key === k);
    if (!item) {
      item = { key: k, value: last ? leaf : { kind: "map", items: [] } };
      m.items.push(item);
    } else if (last) item.value = leaf;
    cur = item.value;
  }
  return { ok: true };
}

function toNode(v: unknown): TNode {
  if (v === null) return null;
  if (typeof v === "string") return { t: "str", v };
  if (typeof v === "boolean") return { t: "bool", v };
  if (typeof v === "number") return Number.isInteger(v) ? { t: "int", v: BigInt(v) } : { t: "float", v };
  if (Array.isArray(v)) return v.map(toNode);
  return { kind: "map", items: Object.entries(v as object).map(([key, x]) => ({ key, value: toNode(x) })) };
}
