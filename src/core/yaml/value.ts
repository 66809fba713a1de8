/**
 * The data model of a Kubernetes object once loaded: what Go's yaml.v3 decodes into `interface{}`.
 * Integers outside JavaScript's safe range are bigint so they survive a round trip exactly.
 * Key order is insertion order; kustomize's output sorts keys anyway.
 */
export type Value = null | boolean | number | bigint | string | Value[] | ValueMap;
export interface ValueMap {
  [key: string]: Value;
}

/**
 * Maps inherit from an empty object that has no prototype itself, so keys such as `__proto__` or `constructor`
 * from hostile input are plain data. Made by `new` rather than Object.create(null): V8 then gives them fast
 * properties instead of a hash table each: loading allocates about half as much.
 */
const EmptyPrototype = function EmptyPrototype() {} as unknown as new () => ValueMap;
EmptyPrototype.prototype = Object.create(null);

export function newMap(): ValueMap {
  return new EmptyPrototype();
}

export function isMap(v: Value | undefined): v is ValueMap {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isSeq(v: Value | undefined): v is Value[] {
  return Array.isArray(v);
}

/**
 * Keys whose value was written empty (`key:`), not `null` or `~`: both decode to null, but kustomize's strategic
 * merge drops the empty ones from a patched object. Kept beside the maps so the data model stays plain.
 */
const EMPTY_KEYS = new WeakMap<ValueMap, Set<string>>();

export function markEmpty(m: ValueMap, key: string): void {
  let keys = EMPTY_KEYS.get(m);
  if (!keys) {
    keys = new Set();
    EMPTY_KEYS.set(m, keys);
  }
  keys.add(key);
}

/** The keys of `m` written with an empty value (still null in `m`). */
export function emptyKeys(m: ValueMap): readonly string[] {
  const keys = EMPTY_KEYS.get(m);
  return keys ? [...keys].filter((k) => m[k] === null) : [];
}

export function deepClone<T extends Value>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => deepClone(x)) as T;
  if (isMap(v)) {
    const out = newMap();
    for (const k of Object.keys(v)) out[k] = deepClone(v[k] as Value);
    const empty = EMPTY_KEYS.get(v);
    if (empty) EMPTY_KEYS.set(out, new Set(empty));
    return out as T;
  }
  return v;
}

/**
 * Shared subtrees: large parts of parsed objects that builds hand out as they are instead of copying (a CRD's
 * schemas are most of a repository's bytes, and nothing but a patch ever changes them). They are deep-frozen, so
 * a change is never silent: in strict code it throws a TypeError, and the build that hit one runs again with
 * copies. Being immutable, they can also be printed once and their text reused.
 */
const SHARED = new WeakSet<object>();

/** Shared subtrees whose strings are all printable ASCII or "\n" (their loader knew it). */
const PRINTABLE = new WeakSet<object>();

/** Freezes `v` deeply and marks it shared (see SHARED); `printable`: every string in it is printable ASCII. */
export function share(v: ValueMap | Value[], printable = false): void {
  deepFreeze(v);
  SHARED.add(v);
  if (printable) PRINTABLE.add(v);
}

/** Whether `v` was shared as holding only printable-ASCII strings (frozen, so that stays true). */
export function isPrintableShared(v: object): boolean {
  return PRINTABLE.has(v);
}

function deepFreeze(v: Value): void {
  if (typeof v !== "object" || v === null || Object.isFrozen(v)) return;
  if (Array.isArray(v)) for (const x of v) deepFreeze(x);
  else for (const k in v) deepFreeze(v[k] as Value);
  Object.freeze(v);
}

export function isShared(v: object): boolean {
  return SHARED.has(v);
}

/** deepClone that hands shared subtrees out as they are. */
export function cloneSharing<T extends Value>(v: T): T {
  if (typeof v !== "object" || v === null) return v;
  if (SHARED.has(v)) return v;
  if (Array.isArray(v)) return v.map((x) => cloneSharing(x)) as T;
  const out = newMap();
  for (const k of Object.keys(v)) out[k] = cloneSharing(v[k] as Value);
  const empty = EMPTY_KEYS.get(v);
  if (empty) EMPTY_KEYS.set(out, new Set(empty));
  return out as T;
}

/** What writing to a frozen (shared) object throws in strict code. */
export function isFrozenWrite(e: unknown): boolean {
  return (
    e instanceof TypeError &&
    /read only property|object is not extensible|Cannot delete property|Cannot (?:add|define) property/.test(
      e.message,
    )
  );
}

export function deepEqual(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Reads a nested field; `undefined` when any step is missing or not a map. */
export function getPath(v: Value | undefined, path: readonly string[]): Value | undefined {
  let cur = v;
  for (const seg of path) {
    if (!isMap(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

export function getString(v: Value | undefined, path: readonly string[]): string | undefined {
  const x = getPath(v, path);
  return typeof x === "string" ? x : undefined;
}
