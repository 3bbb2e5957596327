/**
 * Encoders for PostgreSQL `COPY ... FROM STDIN`: text format for ordinary rows and binary format
 * for pgvector rows (4× fewer bytes than decimal text and no float formatting).
 */
import { BenchError } from './lib.ts';

export type TextCell = string | number | null;

function escapeText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (character) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[character]!);
}

/** One row of COPY text format: tab-separated, `\N` for NULL, newline-terminated. */
export function textCopyRow(cells: readonly TextCell[]): string {
  return `${cells.map((cell) => (cell === null ? '\\N' : typeof cell === 'number' ? String(cell) : escapeText(cell))).join('\t')}\n`;
}

const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** The binary COPY header: signature, flags (0) and header-extension length (0). */
export function binaryCopyHeader(): Buffer {
  const header = Buffer.alloc(BINARY_SIGNATURE.length + 8);
  BINARY_SIGNATURE.copy(header, 0);
  return header;
}

/** The binary COPY trailer: a field count of -1. */
export function binaryCopyTrailer(): Buffer {
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  return trailer;
}

/**
 * Binary rows of `"Embedding" (id uuid, "captionId" uuid, model text, vector vector(n))`.
 * vector's binary form (pgvector vector_recv) is int16 dimensions, int16 zero, then float4s,
 * all big-endian.
 */
export function binaryEmbeddingRows(rows: readonly { id: string; captionId: string; vector: Float32Array }[], model: string): Buffer {
  const modelBytes = Buffer.from(model, 'utf8');
  const dimensions = rows[0]?.vector.length ?? 0;
  const vectorBytes = 4 + 4 * dimensions;
  const rowBytes = 2 + (4 + 16) * 2 + (4 + modelBytes.length) + (4 + vectorBytes);
  const buffer = Buffer.alloc(rowBytes * rows.length);
  const swapped = new Float32Array(dimensions);
  const swappedBytes = Buffer.from(swapped.buffer);
  let offset = 0;
  for (const row of rows) {
    if (row.vector.length !== dimensions) throw new BenchError('BENCH_FAILED', `every vector must have ${dimensions} dimensions, got ${row.vector.length}`);
    offset = buffer.writeInt16BE(4, offset);
    offset = buffer.writeInt32BE(16, offset);
    offset += Buffer.from(row.id.replaceAll('-', ''), 'hex').copy(buffer, offset);
    offset = buffer.writeInt32BE(16, offset);
    offset += Buffer.from(row.captionId.replaceAll('-', ''), 'hex').copy(buffer, offset);
    offset = buffer.writeInt32BE(modelBytes.length, offset);
    offset += modelBytes.copy(buffer, offset);
    offset = buffer.writeInt32BE(vectorBytes, offset);
    offset = buffer.writeInt16BE(dimensions, offset);
    offset = buffer.writeInt16BE(0, offset);
    swapped.set(row.vector);
    swappedBytes.swap32();
    offset += swappedBytes.copy(buffer, offset);
  }
  return buffer;
}
