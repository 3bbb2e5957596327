import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export type Database = PrismaClient;

export interface DatabaseOptions {
  /** Connections in the pool (node-postgres `max`). */
  readonly poolSize?: number;
  /** PostgreSQL cancels any statement that runs longer than this. */
  readonly statementTimeoutMs?: number;
  /** HNSW candidate list size; the default matches the 100 candidates each ranker gives a search. */
  readonly hnswEfSearch?: number;
}

/**
 * HNSW search settings for every connection, so a search needs no transaction around `SET LOCAL`.
 * With iterative scans the index keeps returning rows past ef_search (under filters and for later
 * pages), so ef_search only sets the quality of the first candidates.
 */
export function hnswConnectionOptions(efSearch = 100): string {
  return `-c hnsw.ef_search=${efSearch} -c hnsw.iterative_scan=relaxed_order`;
}

export function createDatabase(connectionString: string, options: DatabaseOptions = {}): Database {
  const adapter = new PrismaPg({
    connectionString,
    options: hnswConnectionOptions(options.hnswEfSearch),
    ...(options.poolSize ? { max: options.poolSize } : {}),
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  return new PrismaClient({ adapter });
}
