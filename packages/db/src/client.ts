import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export type Database = PrismaClient;

export interface DatabaseOptions {
  /** Connections in the pool (node-postgres `max`). */
  readonly poolSize?: number;
  /** PostgreSQL cancels any statement that runs longer than this. */
  readonly statementTimeoutMs?: number;
  /** HNSW candidate list size (default HNSW_EF_SEARCH). */
  readonly hnswEfSearch?: number;
}

/**
 * The HNSW candidate list of a search (the search takes 100 vector candidates). On the graph the
 * migrations build (m 16, ef_construction 200), at 1M captions 350 finds 0.987 of the exact 20
 * nearest (200: 0.963, 300: 0.980) for a p95 of the whole search of 49 ms on a quiet machine
 * (docs/BENCHMARKS.md, "m = 16, ef_construction = 200, warm, on one kept database").
 */
export const HNSW_EF_SEARCH = 350;

/**
 * HNSW search settings for every connection, so a search needs no transaction around `SET LOCAL`.
 * With iterative scans the index keeps returning rows past ef_search (under filters and for later
 * pages), so ef_search only sets the quality of the first candidates.
 */
export function hnswConnectionOptions(efSearch = HNSW_EF_SEARCH): string {
  return `-c hnsw.ef_search=${efSearch} -c hnsw.iterative_scan=relaxed_order`;
}

/**
 * Every statement is prepared once per connection under a name derived from its text. Planning the
 * search statement took 8 ms against 0.3 ms to run it on a small archive: prepared, PostgreSQL
 * plans it a few times, then reuses a generic plan when that costs no more.
 */
function statementName(query: { readonly sql: string }): string {
  return `cmvc_${createHash('sha1').update(query.sql).digest('hex').slice(0, 24)}`;
}

export function createDatabase(connectionString: string, options: DatabaseOptions = {}): Database {
  const adapter = new PrismaPg(
    {
      connectionString,
      options: hnswConnectionOptions(options.hnswEfSearch),
      ...(options.poolSize ? { max: options.poolSize } : {}),
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    },
    { statementNameGenerator: statementName },
  );
  return new PrismaClient({ adapter });
}
