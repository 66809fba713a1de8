import type { Diagnostics, Position } from "../core/diagnostics.ts";

/** What every transformer and generator gets: where to report, and which kustomization field configured it. */
export interface TransformContext {
  diags: Diagnostics;
  /** Position of the kustomization field that configured this step (for diagnostics). */
  at: Position;
}
