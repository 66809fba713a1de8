import { describe, expect, it } from "vitest";
import { loadYaml } from "./load.ts";
import { deepClone, newMap, type ValueMap } from "./value.ts";

describe("newMap", () => {
  it("inherits nothing: keys from input are plain data", () => {
    const m = newMap();
    for (const k of ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"])
      expect(k in m).toBe(false);
    m.__proto__ = "x";
    m.constructor = 1;
    expect(Object.keys(m)).toEqual(["__proto__", "constructor"]);
    expect(m.__proto__).toBe("x");
    expect(JSON.stringify(m)).toBe('{"__proto__":"x","constructor":1}');
  });

  it("loads hostile keys as data, and copies keep them", () => {
    const { docs } = loadYaml("__proto__: {polluted: true}\nconstructor: c\ntoString: t\n", "f.yaml");
    const v = docs[0]?.value as ValueMap;
    expect(Object.keys(v)).toEqual(["__proto__", "constructor", "toString"]);
    expect(v.__proto__).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const copy = deepClone(v) as ValueMap;
    expect(Object.keys(copy)).toEqual(["__proto__", "constructor", "toString"]);
    expect("hasOwnProperty" in copy).toBe(false);
  });
});
