/**
 * Ingests every video file in a folder through the GraphQL `ingestVideos` mutation, in batches,
 * and prints one line per item. The folder must lie inside the API's INGEST_ROOTS.
 *
 *   node --import tsx scripts/ingest-folder.ts [--api URL] [--token TOKEN] FOLDER
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|mkv|webm|avi|gif|mpg|mpeg|ts|flv|wmv|ogv)$/i;
const BATCH = 500;

const { values, positionals } = parseArgs({
  options: { api: { type: 'string', default: 'http://127.0.0.1:4000/graphql' }, token: { type: 'string' } },
  allowPositionals: true,
});
if (positionals.length !== 1) {
  console.error('usage: ingest-folder.ts [--api URL] [--token TOKEN] FOLDER');
  process.exit(2);
}
const folder = resolve(positionals[0]!);
const files = (await readdir(folder, { withFileTypes: true }))
  .filter((entry) => entry.isFile() && VIDEO_EXTENSIONS.test(entry.name))
  .map((entry) => join(folder, entry.name))
  .sort();

const MUTATION = `mutation Ingest($inputs: [IngestVideoInput!]!) {
  ingestVideos(inputs: $inputs) { index created video { id status } error { code message } }
}`;

let failures = 0;
for (let start = 0; start < files.length; start += BATCH) {
  const batch = files.slice(start, start + BATCH);
  const response = await fetch(values.api!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(values.token ? { authorization: `Bearer ${values.token}` } : {}) },
    body: JSON.stringify({ query: MUTATION, variables: { inputs: batch.map((path) => ({ path })) } }),
  });
  const payload = (await response.json()) as {
    data?: { ingestVideos: { index: number; created: boolean; video: { id: string } | null; error: { code: string; message: string } | null }[] };
    errors?: { message: string }[];
  };
  if (!payload.data) {
    console.error(`ingest failed: ${payload.errors?.map((error) => error.message).join('; ') ?? response.status}`);
    process.exit(1);
  }
  for (const item of payload.data.ingestVideos) {
    const file = batch[item.index];
    if (item.error) {
      failures += 1;
      console.log(`✗ ${file}: ${item.error.code} ${item.error.message}`);
    } else {
      console.log(`${item.created ? '+' : '='} ${file} → ${item.video!.id}${item.created ? '' : ' (already archived)'}`);
    }
  }
}
console.log(`${files.length - failures} of ${files.length} files accepted`);
process.exit(failures > 0 ? 1 : 0);
