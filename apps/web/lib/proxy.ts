/**
 * The browser talks only to the web origin; these handlers forward API paths to the API server
 * named by API_URL at run time (not baked in at build time).
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

function apiUrl(): string {
  return (process.env.API_URL ?? 'http://127.0.0.1:4000').replace(/\/$/, '');
}

export async function forward(request: Request): Promise<Response> {
  const incoming = new URL(request.url);
  const target = `${apiUrl()}${incoming.pathname}${incoming.search}`;
  const headers = new Headers();
  request.headers.forEach((value, key) => {
    if (!HOP_BY_HOP.has(key.toLowerCase())) headers.set(key, value);
  });
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  try {
    const response = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      redirect: 'manual',
      // A segment request waits on the API until the segment is rendered; a viewer who seeks away stops that wait.
      signal: request.signal,
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit);
    const outgoing = new Headers();
    response.headers.forEach((value, key) => {
      const name = key.toLowerCase();
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding' && name !== 'set-cookie') outgoing.set(key, value);
    });
    // Each Set-Cookie must stay a header of its own (forEach would join them with commas).
    for (const cookie of response.headers.getSetCookie()) outgoing.append('set-cookie', cookie);
    return new Response(response.body, { status: response.status, headers: outgoing });
  } catch {
    return Response.json(
      { errors: [{ message: 'The archive API is not reachable', extensions: { code: 'API_UNAVAILABLE' } }] },
      { status: 502 },
    );
  }
}
