/**
 * @module Loopback ports for the servers tests start: a free one, whether one accepts connections yet, and a server
 * started and awaited on its port.
 */
import { connect as netConnect } from "node:net";
import { eventually } from "./functions.ts";

/** A port free on loopback now. */
export async function freePort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return await Promise.resolve(port);
}

/** Whether something accepts TCP connections on `port`. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/**
 * Starts the server `cmd` and resolves once it accepts connections on `port` (within `timeoutMs`); throws when it
 * exits first, with its stderr and the tail of `log()` (what it wrote to its own log file).
 */
export async function startServer(
  cmd: string[],
  port: number,
  log: () => string,
  timeoutMs?: number,
): Promise<Bun.Subprocess<"ignore", "ignore", "pipe">> {
  const proc = Bun.spawn({ cmd, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  try {
    await eventually(async () => {
      if (proc.exitCode !== null) {
        const stderr = await new Response(proc.stderr).text();
        throw new Error(`${cmd[0]} exited (${proc.exitCode}): ${stderr}${log().slice(-2000)}`);
      }
      return await accepts(port) || undefined;
    }, timeoutMs);
  } catch (error) {
    proc.kill(); // one that never listened is not left behind
    throw error;
  }
  return proc;
}
