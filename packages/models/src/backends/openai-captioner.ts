import { BackendError } from './errors.ts';
import { encodeJpeg, evenlySpacedIndices, assertRgbFrame } from './frames.ts';
import { HttpBackendClient, isRecord } from './http.ts';
import type { HttpBackendOptions } from './http.ts';
import { openAiModelHealth } from './openai-common.ts';
import type { BackendHealth, HealthCheckable } from './types.ts';
import type { CameraMotion, ClipFrames, ContentDescription, MotionDescription, SceneDescriber, TimedFrame } from '../types.ts';

/** Measures global camera motion locally (e.g. from optical flow); the captioner only words it. */
export type CameraMotionEstimator = (clip: ClipFrames) => CameraMotion | Promise<CameraMotion>;

export interface OpenAiCaptionerOptions extends HttpBackendOptions {
  /** Model name as the server knows it, e.g. "llava:13b" (Ollama) or "Qwen/Qwen2-VL-7B-Instruct" (vLLM). */
  readonly model: string;
  /** Default 160 for keyframes. */
  readonly keyframeMaxTokens?: number;
  /** Default 80 for motion. */
  readonly motionMaxTokens?: number;
  /** Default 0.2: descriptions should be factual and repeatable. */
  readonly temperature?: number;
  /** Frames of a clip sent in one motion request, spread evenly, first and last included. Default 4. */
  readonly motionFrames?: number;
  /** Longer side of the JPEGs sent, in pixels. Default 512. */
  readonly maxImageSide?: number;
  /** Default 85. */
  readonly jpegQuality?: number;
  /**
   * Supplies `MotionDescription.camera`, which the contract requires but a language model cannot measure.
   * Without one, every clip reports `{ kind: 'static', dx: 0, dy: 0, zoom: 1 }`.
   */
  readonly estimateCamera?: CameraMotionEstimator;
}

export const KEYFRAME_SYSTEM_PROMPT =
  'You describe keyframes of videos for an archive that later regenerates the video from your words. ' +
  'Be concise and strictly factual: state only what is visible.';

export const KEYFRAME_PROMPT =
  'Describe this keyframe in one or two sentences: the main objects and people (with colours and positions), ' +
  'the scene and setting, lighting, and any legible text, quoted exactly. Answer with the description only.';

export const MOTION_SYSTEM_PROMPT =
  'You describe motion in short video clips for an archive that later regenerates the video from your words. ' +
  'Be concise and strictly factual.';

export function motionPrompt(frameCount: number, durationSeconds: number): string {
  return (
    `These ${frameCount} frames are sampled in order from one ${durationSeconds.toFixed(1)}-second video clip, first frame to last. ` +
    'In one sentence, describe the camera motion (static, pan left or right, tilt up or down, zoom in or out) ' +
    'and how the subjects move. Answer with the sentence only.'
  );
}

export const STATIC_CAMERA: CameraMotion = { kind: 'static', dx: 0, dy: 0, zoom: 1 };

type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/** SceneDescriber over any OpenAI-compatible `/chat/completions` that accepts images (Ollama, vLLM, llama.cpp, LM Studio, OpenAI). */
export class OpenAiCaptioner implements SceneDescriber, HealthCheckable {
  readonly id: string;
  private readonly client: HttpBackendClient;
  private readonly options: OpenAiCaptionerOptions;

  constructor(options: OpenAiCaptionerOptions) {
    if (!options.model) throw new BackendError('BACKEND_CONFIG', 'openai-chat', 'model is required');
    this.id = `openai-chat:${options.model}`;
    this.client = new HttpBackendClient(this.id, options);
    const motionFrames = options.motionFrames ?? 4;
    if (!Number.isInteger(motionFrames) || motionFrames < 2 || motionFrames > 16) {
      throw new BackendError('BACKEND_CONFIG', this.id, `motionFrames must be an integer in 2..16, got ${motionFrames}`);
    }
    this.options = options;
  }

  async describeKeyframe(frame: TimedFrame): Promise<ContentDescription> {
    assertRgbFrame(frame, this.id, 'keyframe');
    const text = await this.complete(
      KEYFRAME_SYSTEM_PROMPT,
      [{ type: 'text', text: KEYFRAME_PROMPT }, await this.imagePart(frame)],
      this.options.keyframeMaxTokens ?? 160,
    );
    return { text };
  }

  async describeMotion(clip: ClipFrames): Promise<MotionDescription> {
    if (clip.frames.length === 0) throw new BackendError('BACKEND_CONFIG', this.id, 'describeMotion needs at least one frame');
    clip.frames.forEach((frame, i) => assertRgbFrame(frame, this.id, `clip frame ${i}`));
    const picked = evenlySpacedIndices(clip.frames.length, Math.min(this.options.motionFrames ?? 4, clip.frames.length)).map(
      (i) => clip.frames[i] as TimedFrame,
    );
    const first = picked[0] as TimedFrame;
    const last = picked[picked.length - 1] as TimedFrame;
    const images = await Promise.all(picked.map((frame) => this.imagePart(frame)));
    const [text, camera] = await Promise.all([
      this.complete(
        MOTION_SYSTEM_PROMPT,
        [{ type: 'text', text: motionPrompt(picked.length, Math.max(0, last.time - first.time)) }, ...images],
        this.options.motionMaxTokens ?? 80,
      ),
      this.options.estimateCamera ? this.options.estimateCamera(clip) : STATIC_CAMERA,
    ]);
    return { text, camera };
  }

  health(): Promise<BackendHealth> {
    return openAiModelHealth(this.client, this.options.model);
  }

  private async imagePart(frame: TimedFrame): Promise<ContentPart> {
    const jpeg = await encodeJpeg(frame, { maxSide: this.options.maxImageSide ?? 512, quality: this.options.jpegQuality ?? 85 });
    return { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}` } };
  }

  private async complete(system: string, content: ContentPart[], maxTokens: number): Promise<string> {
    const body = await this.client.json('/chat/completions', {
      json: {
        model: this.options.model,
        messages: [
          { role: 'system', content: system },
          { role: 'user', content },
        ],
        max_tokens: maxTokens,
        temperature: this.options.temperature ?? 0.2,
        stream: false,
      },
    });
    return cleanCompletion(this.id, body);
  }
}

/** Pulls `choices[0].message.content` (a string, or an array of text parts on some servers) and tidies it. */
function cleanCompletion(backendId: string, body: unknown): string {
  const choice = isRecord(body) && Array.isArray(body['choices']) ? body['choices'][0] : undefined;
  const message = isRecord(choice) ? choice['message'] : undefined;
  const content = isRecord(message) ? message['content'] : undefined;
  let text: string | undefined;
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) {
    text = content.map((part) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : '')).join(' ');
  }
  if (text === undefined) {
    throw new BackendError('BACKEND_BAD_RESPONSE', backendId, 'chat completion has no choices[0].message.content');
  }
  const cleaned = text
    .replace(/\s+/g, ' ')
    .trim()
    // Some models wrap the whole answer in double quotes; drop them only when nothing inside is quoted.
    .replace(/^["“]([^"“”]*)["”]$/, '$1')
    .trim();
  if (!cleaned) throw new BackendError('BACKEND_BAD_RESPONSE', backendId, 'chat completion content is empty');
  return cleaned;
}
