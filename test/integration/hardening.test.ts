/**
 * The archive under load and attack (issue 14), against the real API, worker, PostgreSQL and
 * Redis: one test per defect the probes found, each failing on the code before the fix.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import { AuthService, BlobReconciler } from '@cmvc/core';
import { createBlobStore } from '@cmvc/blob';
import { AuthRepository, createDatabase, VideoRepository, type Database } from '@cmvc/db';
import { makeClip } from '../support/media.ts';
import { filesUnder, query, REPO_ROOT, requireServices, startStack, type Stack } from '../support/stack.ts';

const WEB_ORIGIN = 'http://127.0.0.1:3999';
const PASSWORD = 'correct horse battery';

let stack: Stack;
let db: Database;
const tokens: Record<'read' | 'ingest' | 'admin', string> = { read: '', ingest: '', admin: '' };
const readyVideoIds: string[] = [];

interface Payload<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> & { code?: string } }[];
}

async function call<T>(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { response, text, payload: JSON.parse(text) as Payload<T> };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const code = (payload: Payload<unknown>) => payload.errors?.[0]?.extensions?.code;
const login = (email: string, password: string) =>
  call<{ login: { name: string } }>({ query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { name } }', variables: { e: email, p: password } });

beforeAll(async () => {
  stack = await startStack({
    env: {
      AUTH: 'required',
      PUBLIC_URL: WEB_ORIGIN,
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '5',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
      // Three seconds: long enough to ingest an upload in the same test, short enough to watch one expire.
      UPLOAD_TTL_HOURS: String(3 / 3600),
      MEDIA_MAX_WIDTH: '300',
      MEDIA_MAX_HEIGHT: '300',
      MEDIA_MAX_PIXELS: String(300 * 300),
    },
  });
  db = createDatabase(requireServices().databaseUrl);
  const auth = new AuthService(new AuthRepository(db), true);
  for (const scope of ['read', 'ingest', 'admin'] as const) {
    tokens[scope] = (await auth.createToken(`test-${scope}`, [scope.toUpperCase() as 'READ'])).token;
  }
  for (const email of ['viewer@example.org', 'locked@example.org', 'timing@example.org']) await auth.createUser(email, PASSWORD, ['ADMIN']);
});

afterAll(async () => {
  await db?.$disconnect();
  await stack?.stop();
});

describe('1. searches while videos encode', () => {
  it('answers 100 concurrent searches without an error while 3 clips encode', async () => {
    const paths = await Promise.all(
      [0, 1, 2].map(async (index) => {
        const path = join(stack.ingestRoot, `load-${index}.mp4`);
        await makeClip(path, { source: `testsrc2=size=${160 + 16 * index}x120:rate=12`, seconds: 1 + (index % 2) });
        return path;
      }),
    );
    const ingest = await call<{ ingestVideos: { video: { id: string } | null; error: { code: string } | null }[] }>(
      { query: 'mutation($inputs: [IngestVideoInput!]!) { ingestVideos(inputs: $inputs) { video { id } error { code } } }', variables: { inputs: paths.map((path) => ({ path })) } },
      bearer(tokens.ingest),
    );
    const ids = ingest.payload.data!.ingestVideos.map((item) => item.video!.id);
    stack.startWorker({ WORKER_CONCURRENCY: '3' });
    const deadline = Date.now() + 120_000;
    while ((await query('SELECT 1 FROM "Video" WHERE status = $1', ['ENCODING'])).length === 0) {
      if (Date.now() > deadline) throw new Error('no video started encoding');
      await new Promise((done) => setTimeout(done, 200));
    }

    const words = ['test pattern', 'colour bars', 'moving circle', 'a clock', 'gradient'];
    const timings: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, index) => {
        const started = performance.now();
        const result = await call<{ search: { edges: unknown[] } }>(
          { query: 'query($q: String!) { search(query: $q, first: 10) { edges { node { caption { text } video { title } } } } }', variables: { q: `${words[index % words.length]} ${index}` } },
          bearer(tokens.read),
        );
        timings.push(performance.now() - started);
        return result;
      }),
    );
    const failures = results.filter((result) => result.response.status !== 200 || result.payload.errors);
    timings.sort((a, b) => a - b);
    console.log(`100 concurrent searches during encoding: p50 ${timings[49]!.toFixed(0)} ms, p95 ${timings[94]!.toFixed(0)} ms`);
    expect(failures.map((failure) => failure.text.slice(0, 200))).toEqual([]);
    expect((await query('SELECT 1 FROM "Video" WHERE status IN ($1, $2)', ['QUEUED', 'ENCODING'])).length).toBeGreaterThan(0);
    readyVideoIds.push(...ids);
  });

  for (const index of [0, 1, 2]) {
    it(`finishes encoding clip ${index + 1}`, async () => {
      // Polled in the database: this stack requires a token, which waitForVideo does not send.
      const deadline = Date.now() + 290_000;
      let status = 'QUEUED';
      while ((status === 'QUEUED' || status === 'ENCODING') && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 500));
        [{ status }] = (await query<{ status: string }>('SELECT status::text FROM "Video" WHERE id = $1', [readyVideoIds[index]])) as [{ status: string }];
      }
      expect(status).toBe('READY');
    });
  }
});

describe('2. query cost', () => {
  const searchField = (alias: string) => `${alias}: search(query: "pattern") { edges { node { caption { text } video { title keyframes { url width height } } } } }`;

  it('counts the default page size of a field given no `first`, times its aliases', async () => {
    const started = performance.now();
    const result = await call({ query: `{ ${Array.from({ length: 20 }, (_, index) => searchField(`s${index}`)).join(' ')} }` }, bearer(tokens.read));
    expect(code(result.payload)).toBe('QUERY_TOO_COMPLEX');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses more aliases than the limit, whatever they cost', async () => {
    const result = await call({ query: `{ ${Array.from({ length: 1000 }, (_, index) => `a${index}: me { name }`).join(' ')} }` }, bearer(tokens.read));
    expect(code(result.payload)).toBe('QUERY_TOO_COMPLEX');
    expect(result.payload.errors![0]!.message).toMatch(/aliases/);
    const single = await call<{ search: { edges: unknown[] } }>({ query: `{ ${searchField('one')} }` }, bearer(tokens.read));
    expect(single.payload.errors).toBeUndefined();
  });
});

describe('3. WebSocket origin', () => {
  /** Opens a graphql-ws connection and reports whether the server acknowledged it, or its close code. */
  function connect(headers: Record<string, string>, connectionParams: Record<string, unknown> = {}): Promise<'ack' | number> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${stack.apiUrl.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers });
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams })));
      socket.on('message', (data) => {
        if (JSON.parse(String(data)).type === 'connection_ack') {
          socket.close();
          resolve('ack');
        }
      });
      socket.on('close', (closeCode) => resolve(closeCode));
      socket.on('error', reject);
    });
  }

  it('refuses a cookie session from a foreign origin, and accepts the web UI and bearer tokens', async () => {
    const session = await login('viewer@example.org', PASSWORD);
    const cookie = session.response.headers.get('set-cookie')!.split(';')[0]!;
    expect(await connect({ cookie, origin: 'http://evil.example' })).toBe(4403);
    expect(await connect({ cookie, origin: WEB_ORIGIN })).toBe('ack');
    expect(await connect({ origin: 'http://evil.example' }, { authorization: `Bearer ${tokens.read}` })).toBe('ack');
  });
});

describe('4. login throttling and enumeration', () => {
  it('locks an account out after repeated failures, with Retry-After, even for the right password', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt += 1) statuses.push((await login('locked@example.org', `wrong-${attempt}`)).response.status);
    expect(statuses.slice(0, 5).every((status) => status === 200)).toBe(true);
    const locked = await login('locked@example.org', PASSWORD);
    expect(locked.response.status).toBe(429);
    expect(Number(locked.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(code(locked.payload)).toBe('TOO_MANY_REQUESTS');
    // Other accounts are unaffected.
    expect((await login('viewer@example.org', PASSWORD)).payload.data?.login.name).toBe('viewer@example.org');
  });

  it('spends as long on an unknown email as on a known one', async () => {
    const median = async (email: (index: number) => string) => {
      const times: number[] = [];
      for (let index = 0; index < 4; index += 1) {
        const started = performance.now();
        expect(code((await login(email(index), 'not the password')).payload)).toBe('UNAUTHENTICATED');
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[2]!;
    };
    const known = await median(() => 'timing@example.org');
    const unknown = await median((index) => `nobody-${index}@example.org`);
    expect(unknown).toBeGreaterThan(known * 0.5);
  });
});

describe('5. internals stay inside', () => {
  it('sends no stack traces or server paths, and answers internal errors with an id only', async () => {
    const invalid = await call({ query: '{ video(id: "not-a-uuid") { id } }' }, bearer(tokens.read));
    expect(code(invalid.payload)).toBe('BAD_USER_INPUT');
    expect(invalid.payload.errors![0]!.extensions).not.toHaveProperty('stacktrace');
    expect(invalid.text).not.toContain(REPO_ROOT);

    // A keyframe whose image vanished from the blob store: an internal error.
    const [keyframe] = await query<{ id: string; blobKey: string }>('SELECT id, "blobKey" FROM "Keyframe" WHERE "blobKey" IS NOT NULL ORDER BY "frameIndex" ASC LIMIT 1');
    await rm(join(stack.blobDir, keyframe!.blobKey));
    const response = await fetch(`${stack.apiUrl}/media/keyframes/${keyframe!.id}`, { headers: bearer(tokens.read) });
    const body = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(body).error.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).not.toContain(stack.blobDir);
  });

  it('gives the same error codes over the WebSocket as over HTTP', async () => {
    /** Runs one operation over graphql-ws and returns the errors it answered with. */
    const overWebSocket = (operation: string) =>
      new Promise<{ message: string; extensions?: Record<string, unknown> }[]>((resolve, reject) => {
        const socket = new WebSocket(`${stack.apiUrl.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tokens.read}` } })));
        socket.on('message', (data) => {
          const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
          if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: operation } }));
          if (message.type === 'error' || message.type === 'next') {
            socket.close();
            resolve(message.type === 'error' ? (message.payload as never) : ((message.payload as { errors?: never[] }).errors ?? []));
          }
        });
        socket.on('error', reject);
      });
    const unknownField = await overWebSocket('{ noSuchField }');
    expect(unknownField[0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const badId = await overWebSocket('{ video(id: "not-a-uuid") { id } }');
    expect(badId[0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify([unknownField, badId])).not.toMatch(/stacktrace|node_modules/);
  });

  it('names no temporary path when an upload is refused', async () => {
    const upload = await fetch(`${stack.apiUrl}/uploads`, { method: 'POST', headers: { 'content-type': 'video/mp4', ...bearer(tokens.ingest) }, body: randomBytes(4096) });
    const { uploadId } = (await upload.json()) as { uploadId: string };
    const result = await call<{ ingestVideos: { error: { code: string; message: string } }[] }>(
      { query: 'mutation($id: ID!) { ingestVideos(inputs: [{ uploadId: $id }]) { error { code message } } }', variables: { id: uploadId } },
      bearer(tokens.ingest),
    );
    expect(result.payload.data!.ingestVideos[0]!.error.code).toBe('UNSUPPORTED_MEDIA');
    expect(result.text).not.toContain(tmpdir());
  });
});

describe('6. client errors', () => {
  it('answers malformed JSON with 400 and an oversized body with 413', async () => {
    expect((await fetch(`${stack.apiUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(tokens.read) }, body: '{"query": ' })).status).toBe(400);
    const huge = JSON.stringify({ query: '{ me { name } }', variables: { padding: 'x'.repeat(5 * 1024 * 1024) } });
    expect((await fetch(`${stack.apiUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(tokens.read) }, body: huge })).status).toBe(413);
  });

  it('answers a bad DateTime literal and an oversized batch with BAD_USER_INPUT naming the limit', async () => {
    const date = await call({ query: '{ search(query: "x", filter: { createdAfter: "yesterday-ish" }) { edges { cursor } } }' }, bearer(tokens.read));
    expect(code(date.payload)).toBe('BAD_USER_INPUT');
    const inputs = Array.from({ length: 10_001 }, (_, index) => ({ path: `/nowhere/${index}.mp4` }));
    const batch = await call({ query: 'mutation($inputs: [IngestVideoInput!]!) { ingestVideos(inputs: $inputs) { created } }', variables: { inputs } }, bearer(tokens.ingest));
    expect(code(batch.payload)).toBe('BAD_USER_INPUT');
    expect(batch.payload.errors![0]!.message).toContain('10000');
  });
});

describe('7. upload lifecycle', () => {
  const uploadBlob = (uploadId: string) => join(stack.blobDir, 'uploads', uploadId);
  const exists = (path: string) => stat(path).then(() => true, () => false);
  const upload = async (body: Blob) => {
    const response = await fetch(`${stack.apiUrl}/uploads`, { method: 'POST', headers: { 'content-type': 'video/mp4', ...bearer(tokens.ingest) }, body });
    return ((await response.json()) as { uploadId: string }).uploadId;
  };

  it('deletes a refused upload at once', async () => {
    const uploadId = await upload(new Blob([randomBytes(2048)]));
    expect(await exists(uploadBlob(uploadId))).toBe(true);
    const result = await call<{ ingestVideos: { error: { code: string } }[] }>(
      { query: 'mutation($id: ID!) { ingestVideos(inputs: [{ uploadId: $id }]) { error { code } } }', variables: { id: uploadId } },
      bearer(tokens.ingest),
    );
    expect(result.payload.data!.ingestVideos[0]!.error.code).toBe('UNSUPPORTED_MEDIA');
    expect(await exists(uploadBlob(uploadId))).toBe(false);
  });

  it('expires an upload nobody ingests', async () => {
    const uploadId = await upload(new Blob([randomBytes(1024)]));
    expect(await exists(uploadBlob(uploadId))).toBe(true);
    const deadline = Date.now() + 20_000;
    while (await exists(uploadBlob(uploadId))) {
      if (Date.now() > deadline) throw new Error('the unclaimed upload was never deleted');
      await new Promise((done) => setTimeout(done, 250));
    }
  });
});

describe('8. media limits', () => {
  const ingestPath = async (path: string) =>
    (await call<{ ingestVideos: { video: unknown; error: { code: string } | null }[] }>(
      { query: 'mutation($path: String!) { ingestVideos(inputs: [{ path: $path }]) { video { id } error { code } } }', variables: { path } },
      bearer(tokens.ingest),
    )).payload.data!.ingestVideos[0]!;

  it('refuses a GIF that declares 10000×10000 from its header, and a Y4M without frames', async () => {
    // GIF89a, logical screen 10000×10000, a 2-colour table, one 10000×10000 image of nothing: 36 bytes.
    const gif = Buffer.concat([
      Buffer.from('GIF89a'),
      Buffer.from([0x10, 0x27, 0x10, 0x27, 0x80, 0, 0]),
      Buffer.from([0, 0, 0, 255, 255, 255]),
      Buffer.from([0x2c, 0, 0, 0, 0, 0x10, 0x27, 0x10, 0x27, 0]),
      Buffer.from([2, 2, 0x4c, 0x01, 0, 0x3b]),
    ]);
    const gifPath = join(stack.ingestRoot, 'huge.gif');
    await writeFile(gifPath, gif);
    expect(await ingestPath(gifPath)).toEqual({ video: null, error: { code: 'MEDIA_TOO_LARGE' } });

    const y4mPath = join(stack.ingestRoot, 'empty.y4m');
    await writeFile(y4mPath, 'YUV4MPEG2 W64 H48 F25:1 Ip A1:1 C420jpeg\n');
    expect(await ingestPath(y4mPath)).toEqual({ video: null, error: { code: 'NO_FRAMES' } });

    const wide = join(stack.ingestRoot, 'wide.mp4');
    await makeClip(wide, { source: 'testsrc2=size=640x360:rate=5', seconds: 1 });
    expect(await ingestPath(wide)).toEqual({ video: null, error: { code: 'MEDIA_TOO_LARGE' } });
    expect(await query('SELECT 1 FROM "Video" WHERE status = $1', ['FAILED'])).toEqual([]);
  });

  it('refuses a rendition larger than the limits', async () => {
    const result = await call(
      { query: 'mutation($id: ID!) { requestRendition(videoId: $id, mode: IT2V, options: { upscale: true }) { id } }', variables: { id: readyVideoIds[0] } },
      bearer(tokens.read),
    );
    expect(code(result.payload)).toBe('BAD_USER_INPUT');
  });
});

describe('10. smaller gaps', () => {
  it('marks the session cookie Secure behind a TLS proxy', async () => {
    const response = await fetch(`${stack.apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { name } }', variables: { e: 'viewer@example.org', p: PASSWORD } }),
    });
    expect(response.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    expect((await login('viewer@example.org', PASSWORD)).response.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
  });

  it('serves media privately cacheable and ignores unknown Range units', async () => {
    const [keyframe] = await query<{ id: string }>('SELECT k.id FROM "Keyframe" k WHERE k."blobKey" IS NOT NULL ORDER BY k."frameIndex" DESC LIMIT 1');
    const response = await fetch(`${stack.apiUrl}/media/keyframes/${keyframe!.id}`, { headers: bearer(tokens.read) });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/^private/);
    const [video] = await query<{ id: string }>('SELECT id FROM "Video" WHERE "bitstreamBlobKey" IS NOT NULL LIMIT 1');
    const bitstream = await fetch(`${stack.apiUrl}/media/bitstreams/${video!.id}`, { headers: { range: 'items=0-10', ...bearer(tokens.read) } });
    expect(bitstream.status).toBe(200);
    expect(bitstream.headers.get('cache-control')).toMatch(/^private/);
  });
});

describe('uploads left in the store', () => {
  it('keeps no upload blobs after the tests above', async () => {
    const left = await readdir(join(stack.blobDir, 'uploads')).catch(() => []);
    expect(left).toEqual([]);
  });
});

describe('9. editing, deletion and the blob reconciler', () => {
  const reconciler = () => new BlobReconciler(new VideoRepository(db), createBlobStore({ kind: 'local', directory: stack.blobDir }), 0);

  it('edits title and tags with the ingest scope, and not with read', async () => {
    const edit = 'mutation($id: ID!) { updateVideo(id: $id, title: " Renamed ", tags: ["Beach", "beach", "Sun"]) { title tags } }';
    expect(code((await call({ query: edit, variables: { id: readyVideoIds[0] } }, bearer(tokens.read))).payload)).toBe('FORBIDDEN');
    const edited = await call<{ updateVideo: { title: string; tags: string[] } }>({ query: edit, variables: { id: readyVideoIds[0] } }, bearer(tokens.ingest));
    expect(edited.payload.data!.updateVideo).toEqual({ title: 'Renamed', tags: ['beach', 'sun'] });
  });

  it('deletes videos with their rows, blobs and jobs, for admins only', async () => {
    const [id] = readyVideoIds.slice(-1);
    const remove = { query: 'mutation($ids: [ID!]!) { deleteVideos(ids: $ids) }', variables: { ids: [id, '00000000-0000-4000-8000-000000000000'] } };
    expect(code((await call(remove, bearer(tokens.ingest))).payload)).toBe('FORBIDDEN');
    expect(await filesUnder(join(stack.blobDir, 'videos', id!))).not.toEqual([]);
    const deleted = await call<{ deleteVideos: string[] }>(remove, bearer(tokens.admin));
    expect(deleted.payload.data!.deleteVideos).toEqual([id]);
    expect(await query('SELECT 1 FROM "Video" WHERE id = $1', [id])).toEqual([]);
    expect(await query('SELECT 1 FROM "Caption" WHERE "videoId" = $1', [id])).toEqual([]);
    expect(await filesUnder(join(stack.blobDir, 'videos', id!))).toEqual([]);
    expect(await filesUnder(join(stack.blobDir, 'renditions', id!))).toEqual([]);
    const redis = new Redis(requireServices().redisUrl);
    expect(await redis.exists(`bull:cmvc-encode:encode-${id}`)).toBe(0);
    redis.disconnect();
  });

  it('removes blobs that a crash left without rows, and reports rows whose blobs are gone', async () => {
    // A deletion that crashed after its transaction: the rows are gone, the blobs are not.
    const [victim] = readyVideoIds.slice(-2, -1);
    const left = await filesUnder(join(stack.blobDir, 'videos', victim!));
    expect(left).not.toEqual([]);
    await query('DELETE FROM "Video" WHERE id = $1', [victim]);
    // A demotion that crashed after switching the rows: the keyframe images are still stored.
    const [demoted] = readyVideoIds;
    const images = await query<{ blobKey: string }>('SELECT "blobKey" FROM "Keyframe" WHERE "videoId" = $1 AND "blobKey" IS NOT NULL', [demoted]);
    await query('UPDATE "Keyframe" SET "blobKey" = NULL WHERE "videoId" = $1 AND id <> (SELECT id FROM "Keyframe" WHERE "videoId" = $1 ORDER BY "frameIndex" LIMIT 1)', [demoted]);
    const [kept] = await query<{ blobKey: string }>('SELECT "blobKey" FROM "Keyframe" WHERE "videoId" = $1 AND "blobKey" IS NOT NULL', [demoted]);
    await rm(join(stack.blobDir, kept!.blobKey), { force: true });

    const report = await reconciler().run();
    expect(new Set(report.removed)).toEqual(new Set([...left.map((path) => path.slice(stack.blobDir.length + 1)), ...images.map((row) => row.blobKey).filter((key) => key !== kept!.blobKey)]));
    expect(report.missing).toContainEqual({ key: kept!.blobKey, videoId: demoted });
    expect(await filesUnder(join(stack.blobDir, 'videos', victim!))).toEqual([]);

    const again = await reconciler().run();
    expect(again.removed).toEqual([]);
  });
});
