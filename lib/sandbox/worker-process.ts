/** @module The shape every sandbox gives the scheduler for one running worker process. */

/** How to start a worker process. */
export interface SpawnSpec {
  /** Executable and arguments. */
  cmd: string[];
  /** The complete environment: nothing of the agent's leaks in. */
  env: Record<string, string>;
  /** Working directory (the task root). */
  cwd: string;
  /** `pipe`: the agent may write to the process's stdin (a launcher awaiting its word). @default "ignore" */
  stdin?: "pipe" | undefined;
}

/** The writable end of a worker's stdin, when it was spawned with `stdin: "pipe"`. */
export interface WorkerStdin {
  /** Writes `text`. */
  write(text: string): void;
  /** Closes the pipe. */
  end(): void;
}

/** A started worker process. */
export interface WorkerProcess {
  /** Process id of the worker's leader. */
  readonly pid: number;
  /** Resolves when the process has exited, with how it ended. */
  readonly exited: Promise<ExitStatus>;
  /** The worker's standard output. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** The worker's standard error. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** The worker's stdin, when spawned with `stdin: "pipe"`; else null. */
  readonly stdin: WorkerStdin | null;
  /** Kills the worker and every process it started. */
  kill(): void;
  /**
   * Peak memory use of the worker so far, in bytes, when the sandbox can tell: read again when the last read is
   * older than `maxAgeMs` (the cgroup file's read costs the kernel a stats flush), else the last value read.
   */
  peakMemoryBytes(maxAgeMs?: number): number | null;
  /** How many of the worker's processes the kernel killed for exceeding its memory limit (0 without a limit). */
  oomKills(): number;
  /**
   * The pids of the worker's processes as this host sees them, read when iterated: those of its cgroup, then
   * those of its session (the leader's, which its processes cannot leave for another's).
   */
  pids(): Iterable<number>;
  /**
   * The pids that run the worker's code, cheaply: its cgroup's members when it has a cgroup (a container's pid 1 and
   * the runtime under it), else its leader (which became the runtime). Not for deciding who it is: see `pids`.
   */
  workingPids(): Iterable<number>;
}

/** How a process ended. */
export interface ExitStatus {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal's name, or null. */
  signal: string | null;
}

/** Describes an exit the way Lambda does: `exit status 3` or `signal: killed`. */
export function describeExit(status: ExitStatus): string {
  if (status.signal) return `signal: ${SIGNAL_WORDS[status.signal] ?? status.signal.toLowerCase()}`;
  return `exit status ${status.code ?? 0}`;
}

const SIGNAL_WORDS: Record<string, string> = {
  SIGKILL: "killed",
  SIGTERM: "terminated",
  SIGSEGV: "segmentation fault",
  SIGABRT: "aborted",
  SIGINT: "interrupt",
};
