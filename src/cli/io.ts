/** What a subcommand may touch of the process, passed in so tests can run it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** A progress bar is drawn only on a terminal. */
  stderrIsTerminal?: boolean;
  /** The terminal's width: a progress line longer than it would wrap and could not be redrawn. */
  stderrColumns?: number;
  env?: NodeJS.ProcessEnv;
}
