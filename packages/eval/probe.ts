import { encodeVideo, decodeBitstream } from '@cmvc/codec';
import { createModelSet } from '@cmvc/models';
const t0 = performance.now();
const models = createModelSet();
const src = '/tmp/evalprobe/clip.mp4';
for (const q of ['low','high'] as const) {
  const t = performance.now();
  const r = await encodeVideo(src, { keyframes: 3, quality: q, textForm: 'auto' }, { featureExtractor: models.featureExtractor, describer: models.describer, semanticCodec: models.semanticCodecs[0] });
  console.log(q, 'encode', ((performance.now()-t)/1000).toFixed(1), 's bytes', r.bitstream.length, r.representation.keyframes.map(k=>k.content), r.representation.clips.map(c=>c.motion));
  const t2 = performance.now();
  await decodeBitstream(r.bitstream, { mode: 'it2v', output: `/tmp/evalprobe/out-${q}.mp4`, upscale: true, semanticCodecs: models.semanticCodecs });
  console.log('decode', ((performance.now()-t2)/1000).toFixed(1));
}
await models.dispose();
console.log('total', ((performance.now()-t0)/1000).toFixed(1));
