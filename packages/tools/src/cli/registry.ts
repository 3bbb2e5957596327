import type { ToolCommand } from './commands.ts';

/** A command whose implementation (and its dependencies: sharp, ffmpeg I/O, models) loads only when it runs. */
export interface CommandEntry {
  readonly summary: string;
  load(): Promise<ToolCommand>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  encode: { summary: 'encode a video into a .cmvc stream', load: async () => (await import('./commands.ts')).encodeCommand },
  decode: { summary: 'reconstruct a video from a .cmvc stream', load: async () => (await import('./commands.ts')).decodeCommand },
  info: { summary: 'show the sections, rate and texts of a .cmvc stream', load: async () => (await import('./commands.ts')).infoCommand },
  models: { summary: 'manage analysis and generation models', load: async () => (await import('@cmvc/models')).modelsCommand },
  eval: { summary: 'rate–distortion evaluation against x264/x265/SVT-AV1', load: async () => (await import('@cmvc/eval')).evalCommand },
};
