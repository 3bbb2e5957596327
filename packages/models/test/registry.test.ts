import { describe, expect, it } from 'vitest';
import { loadToolConfig } from '@cmvc/config';
import { createModelSet } from '../src/registry.ts';
import { loadedModelKeys } from '../src/runtime/shared.ts';

describe('model registry', () => {
  it('builds the configured analyzer for each task without loading any weights', async () => {
    const models = createModelSet(
      loadToolConfig({ CMVC_FEATURES: 'inception-v3', CMVC_DETECTOR: 'nanodet', CMVC_ESRGAN_SCALE: '4', CMVC_OCR: 'off' }).models,
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
});
