/**
 * The contract of a `cmvc` subcommand. The CLI itself lives in @cmvc/tools; packages that add a
 * subcommand (`cmvc models` in @cmvc/models) implement this without depending on the tools.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, badInput: 3, backendUnavailable: 4 } as const;

export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly signal: AbortSignal;
  /** Print the stack of an unexpected failure (`CMVC_DEBUG`). */
  readonly debug?: boolean;
}

export interface CliCommand {
  readonly summary: string;
  readonly usage: string;
  /** Returns the process exit code; throws typed errors, which the entry point maps to exit codes. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
