import { EXIT, exitCodeFor } from './exit-codes.ts';
import { COMMANDS } from './registry.ts';
import type { ToolIo } from './commands.ts';

function help(): string {
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(8)} ${entry.summary}`);
  return `usage: cmvc <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nexit codes: 0 ok, 1 error, 2 usage, 3 bad input or bitstream, 4 backend unavailable\n`;
}

/** Runs the CLI and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], io: ToolIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.stdout : io.stderr).write(help());
    return name ? EXIT.ok : EXIT.usage;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`cmvc: unknown command "${name}"\n\n${help()}`);
    return EXIT.usage;
  }
  try {
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`usage: ${command.usage}\n`);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    const code = exitCodeFor(error);
    const err = error as Error & { code?: string };
    const label = err.code ? `${err.name} ${err.code}` : err.name;
    io.stderr.write(`cmvc ${name}: ${label}: ${err.message}\n`);
    if (code === EXIT.failure && io.debug) io.stderr.write(`${err.stack ?? ''}\n`);
    return code;
  }
}
