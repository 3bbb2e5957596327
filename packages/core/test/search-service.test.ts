/** SearchService against an in-memory search port: argument checks, paging, and BUSY when the database gives up. */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/errors.ts';
import type { MomentQuery, MomentRow, SearchRepository } from '@cmvc/db';
import { SearchService } from '../src/services/search-service.ts';

function moment(index: number): MomentRow {
  return {
    captionId: `caption-${index}`,
    kind: 'CONTENT',
    text: `caption ${index}`,
    highlight: `caption ${index}`,
    videoId: 'video',
    clipId: null,
    keyframeId: null,
    startSeconds: index,
    endSeconds: index + 1,
    similarity: 0.5,
  };
}

/** Answers every query with `rows` (or `failure`), and records the queries it was sent. */
function searchPort(rows: MomentRow[], failure?: Error) {
  const queries: MomentQuery[] = [];
  const port: Pick<SearchRepository, 'searchMoments'> = {
    async searchMoments(query) {
      queries.push(query);
      if (failure) throw failure;
      return rows.slice(query.offset, query.offset + query.limit);
    },
  };
  return { port, queries };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string; details: object }> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return { code: error.code, message: error.message, details: error.details };
}

describe('search arguments', () => {
  it('refuses a similarity floor outside 0..1, an empty query and an overlong one, without searching', async () => {
    const { port, queries } = searchPort([]);
    const search = new SearchService(port, null);
    for (const floor of [-0.1, 1.5, Number.NaN]) {
      expect(await refusal(search.moments('a dog', 10, 0, floor))).toMatchObject({ code: 'BAD_USER_INPUT', message: 'minSimilarity must be between 0 and 1' });
    }
    expect(await refusal(search.moments(' \n\t ', 10, 0))).toMatchObject({ code: 'BAD_USER_INPUT', message: 'The search query is empty' });
    expect((await refusal(search.moments('x'.repeat(501), 10, 0))).code).toBe('BAD_USER_INPUT');
    expect(queries).toEqual([]);
  });

  it('sends the normalised query, one row more than a page to tell whether another follows, and lower-case tags', async () => {
    const { port, queries } = searchPort(Array.from({ length: 5 }, (_, index) => moment(index)));
    const search = new SearchService(port, null);
    const page = await search.moments('  a   DOG  runs ', 2, 2, 0.4, { tags: [' Park '] });
    expect(page.moments.map((row) => row.captionId)).toEqual(['caption-2', 'caption-3']);
    expect(page.hasNextPage).toBe(true);
    expect(queries[0]).toMatchObject({ limit: 3, offset: 2, minSimilarity: 0.4, filter: { tags: ['park'] } });
    expect(queries[0]!.embedding).toBeUndefined();
    expect((await search.moments('a dog', 2, 4)).hasNextPage).toBe(false);
  });

  it('answers BUSY, with a retry hint, when PostgreSQL cancels the search; other failures pass through', async () => {
    const timedOut = new SearchService(searchPort([], new Error('canceling statement due to statement timeout')).port, null);
    expect(await refusal(timedOut.moments('a dog', 10, 0))).toMatchObject({ code: 'BUSY', details: { retryAfterSeconds: 1 } });
    const broken = new SearchService(searchPort([], new Error('connection terminated')).port, null);
    await expect(broken.moments('a dog', 10, 0)).rejects.toThrow('connection terminated');
  });
});
