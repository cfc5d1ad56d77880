// One difference between what the v2 and the v3 distribution of a version carry.
import type { JsonValue } from '../cbor-json.js';

export interface Difference {
  /** Where it is, in the grammar of where.ts (docs/compare.md). */
  readonly where: string;
  /** What the v2 distribution has there; null when it has nothing there. */
  readonly v2: JsonValue;
  /** What the v3 distribution has there; null when it has nothing there. */
  readonly v3: JsonValue;
}
