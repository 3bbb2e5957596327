import { describe, expect, it } from 'vitest';
import { createModelSet, modelSettingsFromEnv } from '../src/registry.ts';
import { ModelError } from '../src/runtime/errors.ts';
import { loadedModelKeys } from '../src/runtime/shared.ts';

function expectModelError(action: () => unknown, code: string): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ModelError);
  expect((caught as ModelError).code).toBe(code);
}

describe('model registry', () => {
  it('builds the configured analyzer for each task without loading any weights', async () => {
    const models = createModelSet(
      modelSettingsFromEnv({ CMVC_FEATURES: 'inception-v3', CMVC_DETECTOR: 'nanodet', CMVC_ESRGAN_SCALE: '4', CMVC_OCR: 'off' }),
    );
    expect(models.featureExtractor?.id).toBe('inception-v3');
    expect(models.featureExtractor?.dimensions).toBe(2048);
    expect(models.describer.id).toContain('nanodet');
    expect(models.describer.id).not.toContain('ocr');
    expect(models.superResolver.scale).toBe(4);
    expect(models.textEmbedder.dimensions).toBe(512);
    expect(models.semanticCodecs.map((codec) => codec.id)).toEqual(['cmvc-describer/1']);
    expect(models.generators).toEqual([]);
    expect(loadedModelKeys().filter((key) => !key.startsWith('test:'))).toEqual([]);
    await models.dispose?.();
  });

  it('defaults to MobileNetV2 features, CenterNet, OCR and USE-lite', () => {
    const settings = modelSettingsFromEnv({});
    expect(settings).toMatchObject({ features: 'mobilenet-v2', detector: 'centernet', ocr: true, describer: 'builtin', embedder: 'use-lite' });
  });

  it('rejects unknown names and incomplete backend settings with invalid-config', () => {
    expectModelError(() => modelSettingsFromEnv({ CMVC_DETECTOR: 'yolo' }), 'invalid-config');
    expectModelError(() => modelSettingsFromEnv({ CMVC_DETECTION_THRESHOLD: '2' }), 'invalid-config');
    expectModelError(() => modelSettingsFromEnv({ CMVC_FEATURES: 'clip' }), 'invalid-config');
    expectModelError(() => modelSettingsFromEnv({ CMVC_DESCRIBER: 'openai' }), 'invalid-config');
    expectModelError(() => modelSettingsFromEnv({ CMVC_EMBEDDER: 'openai', CMVC_EMBEDDINGS_URL: 'http://127.0.0.1:9' }), 'invalid-config');
  });
});
