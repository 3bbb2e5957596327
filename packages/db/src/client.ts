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
 * Twice the 100 vector candidates a search takes: at 1M captions ef_search 100 found 0.87 of the
 * exact 20 nearest (one query in ten ended among another topic's captions), 200 found 0.94 for
 * about 8 ms more at p95 (docs/BENCHMARKS.md, "The recall check re-examined").
 */
export const HNSW_EF_SEARCH = 200;

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
