/** @module How a worker with extensions starts: its external extensions first, then (wrapped or not) its runtime. */
import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { RUNTIME_FAMILIES } from "../config/mod.ts";

/** The runtime families whose command `AWS_LAMBDA_EXEC_WRAPPER` wraps. */
const WRAPPED_FAMILIES = new Set(["nodejs", "python", "provided", "bun"]);

/**
 * The external extensions of a function: the files (not folders) of `extensions/` in its merged layers, by real
 * path, in name order; none without layers.
 */
export function externalExtensions(optDir: string | undefined): string[] {
  if (optDir === undefined) return [];
  const dir = join(optDir, "extensions");
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.sort().map((name) => join(dir, name)).filter((path) => {
    try {
      return !statSync(path).isDirectory();
    } catch {
      return false;
    }
  });
}

/** Thrown when `AWS_LAMBDA_EXEC_WRAPPER` names no executable file. */
export class ExecWrapperError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExecWrapperError";
  }
}

/**
 * The runtime's command behind the function's `AWS_LAMBDA_EXEC_WRAPPER` (a script in its code or layers that gets
 * the command as its arguments and execs it), for the runtimes Lambda wraps; the command as it is otherwise. Its
 * `/var/task/…` and `/opt/…` paths are read in the code and layers folders (a container shows them there).
 */
export function wrapCommand(
  cmd: string[],
  runtime: string,
  environment: Readonly<Record<string, string>>,
  folders: { codeDir: string; optDir?: string | undefined },
): string[] {
  const wrapper = environment.AWS_LAMBDA_EXEC_WRAPPER;
  if (!wrapper || !WRAPPED_FAMILIES.has(RUNTIME_FAMILIES[runtime] ?? "")) return cmd;
  const path = hostPathOf(wrapper, folders);
  try {
    if (!statSync(path).isFile()) throw new Error("not a file");
    accessSync(path, constants.X_OK);
  } catch {
    throw new ExecWrapperError(
      `AWS_LAMBDA_EXEC_WRAPPER names ${wrapper}, which is not an executable file (chmod 755 it in the zip)`,
    );
  }
  return [path, ...cmd];
}

function hostPathOf(path: string, folders: { codeDir: string; optDir?: string | undefined }): string {
  if (path.startsWith("/var/task/")) return join(folders.codeDir, path.slice("/var/task/".length));
  if (path.startsWith("/opt/") && folders.optDir !== undefined) {
    return join(folders.optDir, path.slice("/opt/".length));
  }
  return path;
}

/**
 * The launcher, run by /bin/sh as the worker's first process: it starts each extension (stdin closed, stderr with
 * stdout) in a subshell that tags its lines `<token> L <name> <line>` and, once it ends, says `<token> X <name>
 * <status>`; then it waits for a line on stdin (the agent's word that every extension has registered) and execs
 * the runtime, which so shares the extensions' sandbox, cgroup and user.
 */
const LAUNCHER = [
  "t=$1; shift",
  'while [ "$1" != -- ]; do',
  "  (",
  "    n=${1##*/}",
  '    { "$1" </dev/null 2>&1; printf \'%s X %s %s\\n\' "$t" "$n" "$?"; } |',
  '      while IFS= read -r l || [ -n "$l" ]; do',
  '        case $l in "$t X "*) printf \'%s\\n\' "$l" ;; *) printf \'%s L %s %s\\n\' "$t" "$n" "$l" ;; esac',
  "      done",
  "  ) &",
  "  shift",
  "done",
  "shift",
  "read -r go || exit 0",
  'exec "$@" </dev/null',
].join("\n");

/** The worker's command with `extensions` started before the runtime `cmd`; `token` tags the launcher's own lines. */
export function launcherCommand(extensions: string[], cmd: string[], token: string): string[] {
  return ["/bin/sh", "-c", LAUNCHER, "lambdalet-extensions", token, ...extensions, "--", ...cmd];
}

/** A line of the launcher: an extension's output, or its end. */
export type LauncherLine =
  | { kind: "log"; name: string; line: string }
  | { kind: "exit"; name: string; how: string };

/** Reads a line the worker wrote as the launcher's (null when it is the runtime's own). */
export function launcherLine(line: string, token: string): LauncherLine | null {
  if (!line.startsWith(token) || line.charCodeAt(token.length) !== 32) return null;
  const kind = line[token.length + 1];
  const rest = line.slice(token.length + 3);
  const space = rest.indexOf(" ");
  const name = space === -1 ? rest : rest.slice(0, space);
  const text = space === -1 ? "" : rest.slice(space + 1);
  if (kind === "L") return { kind: "log", name, line: text };
  if (kind === "X") return { kind: "exit", name, how: describeStatus(Number(text)) };
  return null;
}

const SIGNALS: Record<number, string> = {
  9: "killed",
  15: "terminated",
  11: "segmentation fault",
  6: "aborted",
  2: "interrupt",
};

/** A shell's exit status as Lambda words an extension's end: `exit code 0`, `exit status 1`, `signal: killed`. */
function describeStatus(status: number): string {
  if (status === 0) return "exit code 0";
  if (status > 128 && status < 160) return `signal: ${SIGNALS[status - 128] ?? `signal ${status - 128}`}`;
  return `exit status ${status}`;
}
