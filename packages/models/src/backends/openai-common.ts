import { isRecord } from './http.ts';
import type { HttpBackendClient } from './http.ts';
import type { BackendHealth } from './types.ts';

/** `GET {baseUrl}/models` (OpenAI list format); unhealthy when the server answers but does not list `model`. */
export async function openAiModelHealth(client: HttpBackendClient, model: string): Promise<BackendHealth> {
  let listed: string[] | undefined;
  const probe = await client.probe('/models', (body) => {
    if (!isRecord(body) || !Array.isArray(body['data'])) throw new Error('not a model list');
    listed = body['data'].flatMap((entry) => (isRecord(entry) && typeof entry['id'] === 'string' ? [entry['id']] : []));
    return `model ${model} is served at ${client.url('/')}`;
  });
  if (!probe.ok || listed === undefined) return probe;
  if (listed.includes(model)) return probe;
  return { ok: false, latencyMs: probe.latencyMs, detail: `${client.url('/')} does not serve model ${model} (it lists: ${listed.slice(0, 10).join(', ') || 'none'})` };
}
