import { describe, expect, it } from 'vitest';
import { recallAtK, type Neighbour } from '../../bench/search-recall.ts';

const row = (id: string, distance: number): Neighbour => ({ id, distance });

describe('recallAtK (the search benchmark’s recall check)', () => {
  it('counts a row tied with the exact k-th as found, where the ids differ', () => {
    const exact = [row('a', 0.1), row('b', 0.2), row('c', 0.2)];
    const recall = recallAtK(exact, [row('a', 0.1), row('c', 0.2)], 2);
    expect(recall.ids).toBe(0.5);
    expect(recall.idsRescored).toBe(0.5);
    expect(recall.tieAware).toBe(1);
  });

  it('re-scores the candidates by distance before taking the first k', () => {
    const exact = [row('a', 0.1), row('b', 0.2)];
    const found = [row('x', 0.5), row('a', 0.1), row('y', 0.6), row('b', 0.2)];
    const recall = recallAtK(exact, found, 2);
    expect(recall.ids).toBe(0.5);
    expect(recall.idsRescored).toBe(1);
    expect(recall.tieAware).toBe(1);
  });

  it('does not count a candidate farther than the exact k-th', () => {
    const exact = [row('a', 0.1), row('b', 0.2), row('c', 0.3)];
    const recall = recallAtK(exact, [row('a', 0.1), row('x', 0.2000001), row('c', 0.3)], 2);
    expect(recall.tieAware).toBe(0.5);
    expect(recall.ids).toBe(0.5);
  });

  it('scores nothing found as 0 and a table smaller than k against its own size', () => {
    expect(recallAtK([row('a', 0.1), row('b', 0.2)], [], 2)).toEqual({ ids: 0, idsRescored: 0, tieAware: 0 });
    expect(recallAtK([row('a', 0.1)], [row('a', 0.1)], 20)).toEqual({ ids: 1, idsRescored: 1, tieAware: 1 });
  });

  it('rejects an unsorted exact list and a k that is not a positive integer', () => {
    expect(() => recallAtK([row('a', 0.2), row('b', 0.1)], [], 2)).toThrow(RangeError);
    expect(() => recallAtK([row('a', 0.1)], [], 0)).toThrow(RangeError);
    expect(() => recallAtK([row('a', 0.1)], [], 1.5)).toThrow(RangeError);
  });
});
