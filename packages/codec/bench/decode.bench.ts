/**
 * IT2V decode speed of whole streams: `node --import tsx packages/codec/bench/decode.bench.ts [clip…]`.
 * Encodes each clip (default: asl-again and bottle-detection from ../shared/media, or a 480p lavfi
 * clip) at the default settings, then renders every frame with IT2V and prints frames per second of
 * wall time and of this process's CPU time (the second is steadier on a busy machine). Target: ≥ 60 fps at 480p.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createTechnicalDescriber } from '../src/analyzers/technical-describer.ts';
import { parseBitstream } from '../src/bitstream/container.ts';
import { renderFrames } from '../src/decoder.ts';
import { encodeVideo } from '../src/encoder.ts';
import { recordHeadlines, type Headline } from '../../../bench/headlines.ts';
import { mediaIo } from '@cmvc/media-io';

const media = mediaIo();

const sharedMedia = resolve(import.meta.dirname, '../../../../shared/media');
const work = mkdtempSync(join(tmpdir(), 'cmvc-decode-bench-'));
const defaults = ['asl-again.mkv', 'bottle-detection.mp4'].map((name) => join(sharedMedia, name)).filter((path) => existsSync(path));
const clips = process.argv.slice(2).length > 0 ? process.argv.slice(2) : defaults;
if (clips.length === 0) {
  const generated = join(work, 'testsrc2-480p.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=854x480:rate=30:duration=5', '-c:v', 'ffv1', generated]);
  clips.push(generated);
}
try {
  const rows: Headline[] = [];
  for (const clip of clips) {
    const encoded = await encodeVideo(media.videoFile(clip), { layerCodec: media.av1LayerCodec, strategy: 'mse', audioKbps: 0 }, { describer: createTechnicalDescriber() });
    const rep = parseBitstream(encoded.bitstream).representation;
    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    let frames = 0;
    for await (const _ of renderFrames(rep, { mode: 'it2v', layerCodec: media.av1LayerCodec })) frames += 1;
    const cpu = process.cpuUsage(cpuStart);
    const wallSeconds = (performance.now() - wallStart) / 1000;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const layerShare = rep.layer!.frameIndices.length / frames;
    const name = clip.split('/').at(-1)!;
    console.log(`${name}: ${frames} frames at ${rep.header.workingWidth}x${rep.header.workingHeight}, layer ${(100 * layerShare).toFixed(0)} % of frames; ${(frames / wallSeconds).toFixed(1)} fps wall, ${(frames / cpuSeconds).toFixed(1)} fps per CPU second of this process`);
    rows.push({ bench: 'it2v', metric: `IT2V decode of a whole stream (${name})`, value: frames / wallSeconds, unit: 'frames/s', target: '≥ 60 at 480p' });
  }
  recordHeadlines(rows);
} finally {
  rmSync(work, { recursive: true, force: true });
}
