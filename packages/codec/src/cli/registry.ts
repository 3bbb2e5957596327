import { EXIT } from './exit-codes.ts';
import type { CliCommand } from './commands.ts';
import { MODELS_PACKAGE } from '../analyzers/provider.ts';

/** A command whose implementation (and its dependencies: sharp, ffmpeg I/O, models) loads only when it runs. */
export interface CommandEntry {
  readonly summary: string;
  load(): Promise<CliCommand>;
}

/**
 * `cmvc models …` belongs to @cmvc/models (export `modelsCommand: CliCommand`); it is looked up only
 * when invoked, so the codec CLI works without that package.
 */
async function loadModelsCommand(): Promise<CliCommand> {
  const specifier = MODELS_PACKAGE;
  const module = (await import(specifier).catch(() => ({}))) as { modelsCommand?: CliCommand };
  return (
    module.modelsCommand ?? {
      summary: 'manage analysis and generation models',
      usage: 'cmvc models …',
      async run(_argv, io) {
        io.stderr.write(`cmvc models: not available (${MODELS_PACKAGE} does not provide it)\n`);
        return EXIT.backendUnavailable;
      },
    }
  );
}

/** `cmvc eval …` lives in @cmvc/eval, looked up the same way. */
async function loadEvalCommand(): Promise<CliCommand> {
  const specifier = '@cmvc/eval';
  const module = (await import(specifier).catch(() => ({}))) as { evalCommand?: CliCommand };
  if (module.evalCommand) return module.evalCommand;
  return {
    summary: 'rate–distortion evaluation',
    usage: 'cmvc eval [DIR]',
    async run(_argv, io) {
      io.stderr.write('cmvc eval: not available (@cmvc/eval is not installed)\n');
      return EXIT.backendUnavailable;
    },
  };
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  encode: { summary: 'encode a video into a .cmvc stream', load: async () => (await import('./commands.ts')).encodeCommand },
  decode: { summary: 'reconstruct a video from a .cmvc stream', load: async () => (await import('./commands.ts')).decodeCommand },
  info: { summary: 'show the sections, rate and texts of a .cmvc stream', load: async () => (await import('./commands.ts')).infoCommand },
  models: { summary: 'manage analysis and generation models', load: loadModelsCommand },
  eval: { summary: 'rate–distortion evaluation against x264/x265/SVT-AV1 (needs @cmvc/eval)', load: loadEvalCommand },
};
