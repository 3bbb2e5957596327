import type { TextEmbedder } from '@cmvc/codec';
import type { MomentFilter, MomentRow, SearchRepository } from '@cmvc/db';
import { Admission, busyError, type AdmissionLimits } from './admission.ts';
import { badUserInput } from '../errors.ts';
import { LruCache } from '@cmvc/models/lru-cache';
import { contentWords, QueryBaseline } from './relevance.ts';

export interface MomentPage {
  readonly moments: MomentRow[];
  readonly offset: number;
  readonly hasNextPage: boolean;
}

const MAX_QUERY_LENGTH = 500;
/** The calibrated floor (docs/search-relevance.md): unrelated queries stay below it, paraphrases above. Also the GraphQL default. */
export const DEFAULT_MIN_SIMILARITY = 0.3;
export const MAX_PAGE_SIZE = 100;
const DEFAULT_ADMISSION: AdmissionLimits = { concurrency: 8, queueLimit: 500, queueTimeoutMs: 10_000 };

export class SearchService {
  private readonly queryEmbeddings = new LruCache<string, Promise<Float32Array>>(2_000);
  private readonly admission: Admission;
  private readonly baseline: QueryBaseline | null;

  constructor(
    private readonly search: Pick<SearchRepository, 'searchMoments'>,
    private readonly embedder: Pick<TextEmbedder, 'embed'> | null,
    admission: AdmissionLimits = DEFAULT_ADMISSION,
  ) {
    this.admission = new Admission(admission, 'searches');
    this.baseline = embedder ? new QueryBaseline(embedder) : null;
  }

  async moments(
    text: string,
    first: number,
    offset: number,
    minSimilarity = DEFAULT_MIN_SIMILARITY,
    filter: MomentFilter = {},
  ): Promise<MomentPage> {
    if (!(minSimilarity >= 0 && minSimilarity <= 1)) throw badUserInput('minSimilarity must be between 0 and 1');
    const query = text.trim().replace(/\s+/g, ' ');
    if (query.length === 0) throw badUserInput('The search query is empty');
    if (query.length > MAX_QUERY_LENGTH) throw badUserInput(`The search query is longer than ${MAX_QUERY_LENGTH} characters`);
    const rows = await this.admission.run(async () => {
      const embedding = this.embedder ? await this.embed(query) : undefined;
      const baseline = embedding && this.baseline ? await this.baseline.of(embedding) : 0;
      return this.search.searchMoments({
        text: contentWords(query),
        ...(embedding ? { embedding, baseline } : {}),
        limit: first + 1,
        offset,
        minSimilarity,
        filter: { ...filter, ...(filter.tags ? { tags: filter.tags.map((tag) => tag.trim().toLowerCase()) } : {}) },
      }).catch((error: unknown) => {
        // PostgreSQL cancelled it (DATABASE_STATEMENT_TIMEOUT_MS): the database is overloaded, not the request wrong.
        if (error instanceof Error && /statement timeout/i.test(error.message)) throw busyError('searches');
        throw error;
      });
    });
    return { moments: rows.slice(0, first), offset, hasNextPage: rows.length > first };
  }

  private embed(query: string): Promise<Float32Array> {
    const key = query.toLowerCase();
    let cached = this.queryEmbeddings.get(key);
    if (!cached) {
      cached = this.embedder!.embed([key]).then(([vector]) => vector!);
      cached.catch(() => this.queryEmbeddings.delete(key));
      this.queryEmbeddings.set(key, cached);
    }
    return cached;
  }
}
