import { vi } from "vitest";

/** Captures what a command writes to stdout and stderr (restore with vi.restoreAllMocks()); `reset` forgets it. */
export function capture(): { out: () => string; err: () => string; reset: () => void } {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  const reset = (): void => {
    out = "";
    err = "";
  };
  return { out: () => out, err: () => err, reset };
}
