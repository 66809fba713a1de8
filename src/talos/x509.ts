import { webcrypto } from "node:crypto";

// @peculiar/x509 resolves its services through tsyringe, which refuses to load without Reflect metadata. It only
// stores and reads design-time type lists, so a minimal metadata map is enough (no polyfill package is installed).
const store = new WeakMap<object, Map<unknown, Map<string | symbol | undefined, unknown>>>();
const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== "function") {
  const slot = (target: object, key?: string | symbol) => {
    let byTarget = store.get(target);
    if (!byTarget) {
      byTarget = new Map();
      store.set(target, byTarget);
    }
    let byKey = byTarget.get(key);
    if (!byKey) {
      byKey = new Map();
      byTarget.set(key, byKey);
    }
    return byKey as Map<unknown, unknown>;
  };
  const getOwn = (k: unknown, target: object, key?: string | symbol) =>
    store
      .get(target)
      ?.get(key)
      ?.get(k as never);
  reflect.defineMetadata = (k: unknown, v: unknown, target: object, key?: string | symbol) => {
    slot(target, key).set(k, v);
  };
  reflect.getOwnMetadata = getOwn;
  reflect.getMetadata = (k: unknown, target: object, key?: string | symbol) => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
      const v = getOwn(k, t, key);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  reflect.hasMetadata = (k: unknown, target: object, key?: string | symbol) =>
    (reflect.getMetadata as (...a: unknown[]) => unknown)(k, target, key) !== undefined;
  reflect.metadata = (k: unknown, v: unknown) => (target: object, key?: string | symbol) => {
    slot(target, key).set(k, v);
  };
}

const x509 = await import("@peculiar/x509");
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
