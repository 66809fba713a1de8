/** The composed YAML node both parsers of `load.ts` build and its Walker decodes. */

export enum Kind {
  Map = 0,
  Seq = 1,
  Scalar = 2,
  Alias = 3,
}

/**
 * A composed node: what the `yaml` package's Composer would build, reduced to what decoding needs. One class
 * for all kinds keeps property access monomorphic.
 */
export class YNode {
  /** Anchor name (`&name`), or "" for none. */
  anchor = "";
  /** goyaml's short form of the tag ("" for none or `!`). */
  tag = "";
  /** Scalar text after unquoting, folding and the block-scalar fixes; alias name for aliases. */
  text = "";
  /** Plain (unquoted, non-block) scalar. */
  plain = false;
  /** Sequence items. */
  items: YNode[] = NO_ITEMS;
  /** Mapping entries. */
  pairs: Pair[] = NO_PAIRS;
  constructor(
    readonly kind: Kind,
    /** The Composer's range[0] (source start) and range[2] (end including trailing comments). */
    readonly start: number,
    public end: number,
  ) {}
}

export interface Pair {
  key: YNode;
  /** null when the key has no `:` (`? a`, `{a}`). */
  value: YNode | null;
}

export const NO_ITEMS: YNode[] = [];
export const NO_PAIRS: Pair[] = [];
