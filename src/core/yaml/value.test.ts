import { describe, expect, it } from "vitest";
import { loadYaml } from "./load.ts";
import { deepClone, newMap, type Value, type ValueMap } from "./value.ts";

/** The key that sets an ordinary object's prototype. */
const PROTO = "__proto__";

describe("newMap", () => {
  it("inherits nothing: keys from input are plain data", () => {
    const m = newMap();
    for (const k of ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"])
      expect(k in m).toBe(false);
    const set = (k: string, v: Value): void => {
      m[k] = v;
    };
    set("__proto__", "x");
    set("constructor", 1);
    expect(Object.keys(m)).toEqual(["__proto__", "constructor"]);
    expect(m[PROTO]).toBe("x");
    expect(JSON.stringify(m)).toBe('{"__proto__":"x","constructor":1}');
  });

  it("loads hostile keys as data, and copies keep them", () => {
    const { docs } = loadYaml("__proto__: {polluted: true}\nconstructor: c\ntoString: t\n", "f.yaml");
    const v = docs[0]?.value as ValueMap;
    expect(Object.keys(v)).toEqual(["__proto__", "constructor", "toString"]);
    expect(v[PROTO]).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const copy = deepClone(v) as ValueMap;
    expect(Object.keys(copy)).toEqual(["__proto__", "constructor", "toString"]);
    expect("hasOwnProperty" in copy).toBe(false);
  });
});
