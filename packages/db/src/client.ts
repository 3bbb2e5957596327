import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export type Database = PrismaClient;

export interface DatabaseOptions {
  /** Connections in the pool (node-postgres `max`). */
  readonly poolSize?: number;
  /** PostgreSQL cancels any statement that runs longer than this. */
  readonly statementTimeoutMs?: number;
}

/**
 * HNSW search settings for every connection, so a search needs no transaction around `SET LOCAL`.
 * With iterative scans the index keeps returning rows past ef_search (under filters and for later
 * pages), so ef_search only sets the quality of the first candidates.
 */
export const HNSW_CONNECTION_OPTIONS = '-c hnsw.ef_search=200 -c hnsw.iterative_scan=relaxed_order';

export function createDatabase(connectionString: string, options: DatabaseOptions = {}): Database {
  const adapter = new PrismaPg({
    connectionString,
    options: HNSW_CONNECTION_OPTIONS,
    ...(options.poolSize ? { max: options.poolSize } : {}),
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  return new PrismaClient({ adapter });
}
