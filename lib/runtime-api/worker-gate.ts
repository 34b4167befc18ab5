/** @module Admits a connection to a worker's Runtime API only from a process of that worker. */
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { clientSocketInode, findSocketHolder, holderAmong } from "./peer.ts";

/**
 * Lists the pids (as the agent sees them, host pids for containers) of the processes of one worker. It is called
 * once per new connection and may be lazy: listing stops at the first process that holds the connection.
 */
export type WorkerPids = () => Iterable<number>;

/** Who is on the other end of a refused connection. */
function describePeer(pid: number | null): string {
  if (pid === null) return "an unknown process";
  let name = "";
  try {
    name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    // gone already
  }
  return name ? `pid ${pid} (${name})` : `pid ${pid}`;
}

/**
 * Decides, once per connection, whether its client is a process of the worker: it finds the client's socket in
 * /proc/net/tcp by the connection's two ends, and looks for that socket among the open files of the worker's
 * processes. An admitted connection is remembered by its socket object, which lives exactly as long as the
 * connection: a later connection from the same port, whoever opens it, is a new socket and is checked again.
 */
export class WorkerGate {
  #owner: WorkerPids | null = null;
  readonly #admitted = new WeakSet<Socket>();
  readonly #warn: (line: string) => void;

  constructor(warn: (line: string) => void) {
    this.#warn = warn;
  }

  /** From now on, admits connections from the processes `owner` lists; until then, none. */
  admit(owner: WorkerPids): void {
    this.#owner = owner;
  }

  /**
   * Whether `socket` comes from a process of the worker. The first request of a connection is checked; the
   * answer for an admitted one is remembered. A refusal writes one warning naming the client's pid, with `what`
   * (the request it made).
   */
  admits(socket: Socket, what: string): boolean {
    if (this.#admitted.has(socket)) return true;
    const { remoteAddress, remotePort, localAddress, localPort } = socket;
    if (
      remoteAddress === undefined || remotePort === undefined || localAddress === undefined ||
      localPort === undefined
    ) {
      this.#refuse(null, what, "its address is unknown");
      return false;
    }
    const inode = clientSocketInode(
      { address: remoteAddress, port: remotePort },
      { address: localAddress, port: localPort },
    );
    if (inode === null) {
      this.#refuse(null, what, "its socket is not in /proc/net/tcp");
      return false;
    }
    const owner = this.#owner;
    if (owner && holderAmong(owner(), inode) !== null) {
      this.#admitted.add(socket);
      return true;
    }
    this.#refuse(
      findSocketHolder(inode),
      what,
      owner ? "it is not a process of this worker" : "the worker has not started yet",
    );
    return false;
  }

  #refuse(pid: number | null, what: string, why: string): void {
    this.#warn(`Runtime API refused ${what} from ${describePeer(pid)}: ${why}`);
  }
}
