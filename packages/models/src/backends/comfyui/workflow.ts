import { BackendError } from '../errors.ts';
import { isRecord } from '../http.ts';
import type { CameraMotion, GenerationMode, GenerationRequest } from '../../types.ts';

/** A ComfyUI workflow in API format ("Export (API)"): node id → { class_type, inputs }. */
export type ComfyWorkflow = Readonly<Record<string, { readonly class_type: string; readonly inputs: Readonly<Record<string, unknown>> }>>;

export const PLACEHOLDERS = ['prompt', 'negative_prompt', 'width', 'height', 'frames', 'fps', 'seed', 'first_image', 'last_image'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Readonly<Record<Placeholder, string | number>>;

const PLACEHOLDER_PATTERN = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** Checks the template's shape and placeholders once, at configuration time; returns the placeholders it uses. */
export function validateWorkflow(backendId: string, mode: GenerationMode, workflow: unknown): { workflow: ComfyWorkflow; used: ReadonlySet<Placeholder> } {
  if (!isRecord(workflow) || Object.keys(workflow).length === 0) {
    throw new BackendError('BACKEND_CONFIG', backendId, `${mode} workflow must be a non-empty API-format object (node id → { class_type, inputs })`);
  }
  for (const [id, node] of Object.entries(workflow)) {
    if (!isRecord(node) || typeof node['class_type'] !== 'string' || !isRecord(node['inputs'])) {
      throw new BackendError('BACKEND_CONFIG', backendId, `${mode} workflow node ${id} lacks class_type/inputs: export the workflow with "Export (API)"`);
    }
  }
  const used = new Set<Placeholder>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(PLACEHOLDER_PATTERN)) {
        const name = match[1] as string;
        if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
          throw new BackendError('BACKEND_CONFIG', backendId, `${mode} workflow uses unknown placeholder {{${name}}} (known: ${PLACEHOLDERS.join(', ')})`);
        }
        used.add(name as Placeholder);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (isRecord(value)) Object.values(value).forEach(visit);
  };
  visit(workflow);
  const required: Placeholder = mode === 'tt2v' ? 'prompt' : 'first_image';
  if (!used.has(required)) throw new BackendError('BACKEND_CONFIG', backendId, `${mode} workflow must contain {{${required}}}`);
  if (mode === 'tt2v' && (used.has('first_image') || used.has('last_image'))) {
    throw new BackendError('BACKEND_CONFIG', backendId, 'tt2v workflow cannot use {{first_image}}/{{last_image}}');
  }
  return { workflow: workflow as ComfyWorkflow, used };
}

/**
 * Copies the template with placeholders filled. A string that is exactly one placeholder takes the value's own
 * type (so `"{{width}}"` becomes the number 832, as ComfyUI's INT inputs need); inside longer strings it is text.
 */
export function fillWorkflow(workflow: ComfyWorkflow, values: PlaceholderValues): Record<string, unknown> {
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const whole = /^\{\{\s*([a-z_]+)\s*\}\}$/.exec(value);
      if (whole) return values[whole[1] as Placeholder];
      return value.replace(PLACEHOLDER_PATTERN, (_, name: string) => String(values[name as Placeholder]));
    }
    if (Array.isArray(value)) return value.map(fill);
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fill(inner)]));
    return value;
  };
  return fill(workflow) as Record<string, unknown>;
}

function cameraSentence(camera: CameraMotion | undefined): string {
  if (!camera || camera.kind === 'static') return '';
  if (camera.kind === 'zoom') return camera.zoom >= 1 ? 'The camera zooms in.' : 'The camera zooms out.';
  if (camera.kind === 'pan') return camera.dx >= 0 ? 'The camera pans right.' : 'The camera pans left.';
  return camera.dy >= 0 ? 'The camera tilts down.' : 'The camera tilts up.';
}

/** The positive prompt: TT2V leads with what the clip shows and where it ends; IT2V (images carry content) leads with motion. */
export function composePrompt(request: GenerationRequest): string {
  const [first, last] = request.contentTexts;
  const parts =
    request.mode === 'tt2v'
      ? [first, request.motionText, cameraSentence(request.camera), last && last !== first ? `By the end: ${last}` : '']
      : [request.motionText, cameraSentence(request.camera), first];
  return parts
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => (/[.!?]$/.test(part) ? part : `${part}.`))
    .join(' ');
}

/** FNV-1a over the request's texts and geometry: the same clip regenerates with the same seed. */
export function requestSeed(request: GenerationRequest): number {
  const key = JSON.stringify([request.mode, request.width, request.height, request.frameCount, request.fps, request.contentTexts, request.motionText]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
