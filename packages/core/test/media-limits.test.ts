/** MediaHeaderCheck against a MediaTool port: which stated headers pass, which are refused and with which code. */
import { describe, expect, it } from 'vitest';
import type { MediaLimits } from '@cmvc/config';
import { MediaError, type VideoHeader } from '@cmvc/media-io';
import { DomainError } from '../src/errors.ts';
import type { MediaTool } from '../src/ports.ts';
import { MediaHeaderCheck } from '../src/services/media-limits.ts';
import { rejectionCode } from '../../../test/support/domain-errors.ts';

const limits: MediaLimits = { maxWidth: 1920, maxHeight: 1080, maxPixels: 1920 * 1080, maxFrames: 1000, maxDurationSeconds: 60 };
const PATH = '/scratch/cmvc-upload-1/source';

/** Answers every probe with `header` (or throws it), recording the paths asked for. */
function tool(header: VideoHeader | undefined | Error) {
  const asked: string[] = [];
  const media: MediaTool = {
    async probeVideoHeader(path) {
      asked.push(path);
      if (header instanceof Error) throw header;
      return header;
    },
  };
  return { media, asked };
}

const fine: VideoHeader = { width: 640, height: 360, avg_frame_rate: '25/1', nb_frames: '250', duration: '10.0', nb_read_packets: '1' };

describe('media header check through the MediaTool port', () => {
  it('passes a header within the limits, probing the file once', async () => {
    const { media, asked } = tool(fine);
    await new MediaHeaderCheck(limits, media).check(PATH, 'matroska');
    expect(asked).toEqual([PATH]);
  });

  it('refuses a stated size, length or frame count over the limits, and a stream without frames', async () => {
    const check = (header: VideoHeader) => rejectionCode(new MediaHeaderCheck(limits, tool(header).media).check(PATH, 'matroska'));
    expect(await check({ ...fine, width: 3840, height: 2160 })).toBe('MEDIA_TOO_LARGE');
    expect(await check({ ...fine, duration: '61' })).toBe('MEDIA_TOO_LARGE');
    expect(await check({ ...fine, nb_frames: '1001' })).toBe('MEDIA_TOO_LARGE');
    // No frame count stated: estimated from the length and the rate (41 s at 25 fps).
    expect(await check({ ...fine, nb_frames: undefined, duration: '41' })).toBe('MEDIA_TOO_LARGE');
    expect(await check({ ...fine, nb_read_packets: '0' })).toBe('NO_FRAMES');
  });

  it('answers UNSUPPORTED_MEDIA without a video stream, and for ffprobe refusals with their first line, hiding our path', async () => {
    expect(await rejectionCode(new MediaHeaderCheck(limits, tool(undefined).media).check(PATH, 'matroska'))).toBe('UNSUPPORTED_MEDIA');
    const refused = new MediaError('INVALID_MEDIA', 'ffprobe exited with code 1', `${PATH}: Invalid data found when processing input\nsecond line`);
    const error = await new MediaHeaderCheck(limits, tool(refused).media).check(PATH, 'matroska').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('UNSUPPORTED_MEDIA');
    expect((error as DomainError).message).toBe('Not a readable video: the file: Invalid data found when processing input');
  });

  it('lets an error that is not ffprobe\'s through unchanged', async () => {
    const broken = new Error('EMFILE: too many open files');
    await expect(new MediaHeaderCheck(limits, tool(broken).media).check(PATH, 'matroska')).rejects.toBe(broken);
  });
});
