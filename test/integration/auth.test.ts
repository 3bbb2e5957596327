/**
 * Access control and ingest safety against the real API: token scopes (read ⊂ ingest ⊂ admin),
 * tokens and sessions hashed at rest, session login/logout, HTTP routes guarded like GraphQL,
 * SSRF refusals for URL ingest, and uploads with size and type limits.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthRepository, createDatabase, type Database } from '@cmvc/db';
import { AuthService } from '@cmvc/core';
import { makeClip } from '../support/media.ts';
import { query, requireServices, startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
let db: Database;
let mediaServer: Server;
let mediaUrl: string;
const tokens: Record<'read' | 'ingest' | 'admin', string> = { read: '', ingest: '', admin: '' };

async function call<T>(body: { query: string; variables?: Record<string, unknown> }, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { response, payload: (await response.json()) as { data?: T; errors?: { extensions?: { code?: string } }[] } };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const code = (payload: { errors?: { extensions?: { code?: string } }[] }) => payload.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  stack = await startStack({ env: { AUTH: 'required', UPLOAD_MAX_BYTES: '2000000' } });
  db = createDatabase(requireServices().databaseUrl);
  const auth = new AuthService(new AuthRepository(db), true);
  for (const scope of ['read', 'ingest', 'admin'] as const) {
    tokens[scope] = (await auth.createToken(`test-${scope}`, [scope.toUpperCase() as 'READ'])).token;
  }
  await auth.createUser('viewer@example.org', 'correct horse battery', ['READ']);

  const clip = join(stack.ingestRoot, 'served.mp4');
  await makeClip(clip, { seconds: 1 });
  const bytes = await readFile(clip);
  mediaServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length });
    response.end(bytes);
  });
  await new Promise<void>((ready) => mediaServer.listen(0, '127.0.0.1', ready));
  const address = mediaServer.address();
  mediaUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/clip.mp4`;
});

afterAll(async () => {
  mediaServer?.close();
  await db?.$disconnect();
  await stack?.stop();
});

describe('token scopes', () => {
  const INGEST = { query: 'mutation($url: String!) { ingestVideos(inputs: [{ url: $url }]) { error { code } } }' };

  it('refuses anonymous callers and unknown tokens', async () => {
    expect(code((await call({ query: '{ videos { totalCount } }' })).payload)).toBe('UNAUTHENTICATED');
    expect(code((await call({ query: '{ videos { totalCount } }' }, bearer('cmvc_not-a-real-token'))).payload)).toBe('UNAUTHENTICATED');
    expect((await call<{ me: null }>({ query: '{ me { name } }' })).payload.data).toEqual({ me: null });
  });

  it('lets read tokens read but not ingest or administer', async () => {
    expect((await call<{ videos: { totalCount: number } }>({ query: '{ videos { totalCount } }' }, bearer(tokens.read))).payload.data?.videos.totalCount).toBe(0);
    expect(code((await call({ ...INGEST, variables: { url: mediaUrl } }, bearer(tokens.read))).payload)).toBe('FORBIDDEN');
    expect(code((await call({ query: '{ apiTokens { id } }' }, bearer(tokens.read))).payload)).toBe('FORBIDDEN');
  });

  it('lets ingest tokens ingest and read, but not administer', async () => {
    const ingest = await call<{ ingestVideos: { error: { code: string } | null }[] }>({ ...INGEST, variables: { url: 'ftp://example.org/a.mp4' } }, bearer(tokens.ingest));
    expect(ingest.payload.errors).toBeUndefined();
    expect(ingest.payload.data!.ingestVideos[0]!.error!.code).toBe('URL_NOT_ALLOWED');
    expect(code((await call({ query: 'mutation { createApiToken(name: "x", scopes: [READ]) { token } }' }, bearer(tokens.ingest))).payload)).toBe('FORBIDDEN');
  });

  it('lets admin tokens create and revoke tokens, which are stored only as hashes', async () => {
    const created = await call<{ createApiToken: { token: string; apiToken: { id: string; prefix: string; scopes: string[] } } }>(
      { query: 'mutation { createApiToken(name: "robot", scopes: [READ]) { token apiToken { id prefix scopes } } }' },
      bearer(tokens.admin),
    );
    const { token, apiToken } = created.payload.data!.createApiToken;
    expect(apiToken.scopes).toEqual(['READ']);
    expect(token.startsWith(apiToken.prefix)).toBe(true);
    const rows = await query<{ tokenHash: string }>('SELECT "tokenHash" FROM "ApiToken"');
    expect(rows.some((row) => row.tokenHash.includes(token))).toBe(false);
    expect(rows).toHaveLength(4);

    expect(code((await call({ query: '{ videos { totalCount } }' }, bearer(token))).payload)).toBeUndefined();
    await call({ query: 'mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', variables: { id: apiToken.id } }, bearer(tokens.admin));
    expect(code((await call({ query: '{ videos { totalCount } }' }, bearer(token))).payload)).toBe('UNAUTHENTICATED');
  });

  it('guards the media and upload routes with the same scopes', async () => {
    const keyframe = await fetch(`${stack.apiUrl}/media/keyframes/00000000-0000-4000-8000-000000000000`);
    expect(keyframe.status).toBe(401);
    const asReader = await fetch(`${stack.apiUrl}/media/keyframes/00000000-0000-4000-8000-000000000000`, { headers: bearer(tokens.read) });
    expect(asReader.status).toBe(404);
    const upload = await fetch(`${stack.apiUrl}/uploads`, { method: 'POST', headers: { 'content-type': 'video/mp4', ...bearer(tokens.read) }, body: 'x' });
    expect(upload.status).toBe(403);
  });
});

describe('sessions', () => {
  it('logs in with a password, keeps the session in an HttpOnly cookie, and logs out', async () => {
    const wrong = await call({ query: 'mutation { login(email: "viewer@example.org", password: "nope") { name } }' });
    expect(code(wrong.payload)).toBe('UNAUTHENTICATED');

    const login = await call<{ login: { name: string; scopes: string[] } }>({
      query: 'mutation { login(email: "Viewer@Example.org", password: "correct horse battery") { name scopes } }',
    });
    expect(login.payload.data!.login).toEqual({ name: 'viewer@example.org', scopes: ['READ'] });
    const setCookie = login.response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/cmvc_session=[^;]+;.*HttpOnly/i);
    const cookie = setCookie.split(';')[0]!;
    const sessions = await query<{ tokenHash: string }>('SELECT "tokenHash" FROM "Session"');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.tokenHash).not.toContain(cookie.split('=')[1]!);

    const me = await call<{ me: { name: string; kind: string } }>({ query: '{ me { name kind } }' }, { cookie });
    expect(me.payload.data!.me).toEqual({ name: 'viewer@example.org', kind: 'session' });
    expect(code((await call({ query: '{ apiTokens { id } }' }, { cookie })).payload)).toBe('FORBIDDEN');

    await call({ query: 'mutation { logout }' }, { cookie });
    expect((await call<{ me: null }>({ query: '{ me { name } }' }, { cookie })).payload.data!.me).toBeNull();
  });
});

describe('ingest safety', () => {
  const INGEST_URL = { query: 'mutation($url: String!) { ingestVideos(inputs: [{ url: $url }]) { created error { code message } } }' };

  it('refuses loopback and private URLs unless they are allowed', async () => {
    for (const url of [mediaUrl, 'http://localhost:1/a.mp4', 'http://10.0.0.1/a.mp4', 'http://[::1]:1/a.mp4', 'http://169.254.169.254/latest/meta-data']) {
      const result = await call<{ ingestVideos: { error: { code: string } | null }[] }>({ ...INGEST_URL, variables: { url } }, bearer(tokens.ingest));
      expect(result.payload.data!.ingestVideos[0]!.error!.code, url).toBe('URL_NOT_ALLOWED');
    }
  });

  it('accepts uploads within the limits and ingests them by id; refuses oversize and non-video uploads', async () => {
    const bytes = await readFile(join(stack.ingestRoot, 'served.mp4'));
    const upload = await fetch(`${stack.apiUrl}/uploads`, { method: 'POST', headers: { 'content-type': 'video/mp4', ...bearer(tokens.ingest) }, body: bytes });
    expect(upload.status).toBe(201);
    const { uploadId, bytes: size } = (await upload.json()) as { uploadId: string; bytes: number };
    expect(size).toBe(bytes.length);
    const ingested = await call<{ ingestVideos: { created: boolean; error: unknown }[] }>(
      { query: 'mutation($id: ID!) { ingestVideos(inputs: [{ uploadId: $id }]) { created error { code } } }', variables: { id: uploadId } },
      bearer(tokens.ingest),
    );
    expect(ingested.payload.data!.ingestVideos[0]).toEqual({ created: true, error: null });

    const tooLarge = await fetch(`${stack.apiUrl}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'video/mp4', ...bearer(tokens.ingest) },
      body: new Uint8Array(3_000_000),
    });
    expect(tooLarge.status).toBe(413);
    const wrongType = await fetch(`${stack.apiUrl}/uploads`, { method: 'POST', headers: { 'content-type': 'text/html', ...bearer(tokens.ingest) }, body: '<html>' });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('URL ingest when loopback is allowed', () => {
  it('fetches the URL and archives what it serves', async () => {
    const permissive = await startStack({ env: { AUTH: 'off', ALLOW_PRIVATE_URLS: 'true' } });
    try {
      const result = await permissive.graphql<{ ingestVideos: { created: boolean; error: unknown; video: { sha256: string } }[] }>(
        'mutation($url: String!) { ingestVideos(inputs: [{ url: $url }]) { created error { code message } video { sha256 } } }',
        { url: mediaUrl },
      );
      const served = createHash('sha256').update(await readFile(join(stack.ingestRoot, 'served.mp4'))).digest('hex');
      expect(result.data!.ingestVideos[0]).toEqual({ created: true, error: null, video: { sha256: served } });
    } finally {
      await permissive.stop();
    }
  });
});
