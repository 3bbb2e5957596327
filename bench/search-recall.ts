/**
 * recall@k of an approximate nearest-neighbour search against an exact one, for the search
 * benchmark. Distances must come from the same function over the same rows and query vector (the
 * benchmark runs one statement twice, with and without the HNSW index).
 */

export interface Neighbour {
  readonly id: string;
  /** Distance to the query (cosine distance, smaller is nearer). */
  readonly distance: number;
}

export interface Recall {
  /** Share of the exact k nearest ids among the first k found, in the order found. */
  readonly ids: number;
  /** Share of the exact k nearest ids among all found (what re-scoring the candidates keeps). */
  readonly idsRescored: number;
  /**
   * Share of the k nearest found, re-scored by distance, that are no farther than the exact k-th
   * nearest: the standard recall with ties, where any of several rows at the same distance counts.
   */
  readonly tieAware: number;
}

/**
 * Recall of `found` (in the order the approximate search returned it) against `exact` (the exact
 * nearest, ascending by distance, at least k rows where the table has them).
 */
export function recallAtK(exact: readonly Neighbour[], found: readonly Neighbour[], k: number): Recall {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, not ${k}`);
  const wanted = Math.min(k, exact.length);
  if (wanted === 0) return { ids: 1, idsRescored: 1, tieAware: 1 };
  for (let index = 1; index < wanted; index += 1) {
    if (exact[index]!.distance < exact[index - 1]!.distance) throw new RangeError('exact neighbours must be sorted by ascending distance');
  }
  const exactIds = new Set(exact.slice(0, wanted).map((neighbour) => neighbour.id));
  const kthDistance = exact[wanted - 1]!.distance;
  const rescored = [...found].sort((a, b) => a.distance - b.distance).slice(0, wanted);
  return {
    ids: found.slice(0, wanted).filter((neighbour) => exactIds.has(neighbour.id)).length / wanted,
    idsRescored: found.filter((neighbour) => exactIds.has(neighbour.id)).length / wanted,
    tieAware: rescored.filter((neighbour) => neighbour.distance <= kthDistance).length / wanted,
  };
}
