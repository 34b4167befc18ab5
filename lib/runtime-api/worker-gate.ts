/** @module Admits a connection to a worker's Runtime API only from a process of that worker. */
import { readFileSync } from "node:fs";
import {
  connectionInodes,
  type Endpoint,
  fdsDenied,
  findSocketHolder,
  holderAmong,
  ownSocketFd,
  ownSocketInode,
} from "./peer.ts";
import { LookupBudget, PEER_LOOKUPS } from "./lookup-budget.ts";

/**
 * Lists the pids (as the agent sees them, host pids for containers) of the processes of one worker. It is called
 * once per new connection and may be lazy: listing stops at the first process that holds the connection.
 */
export type WorkerPids = () => Iterable<number>;

/** A verified connection, by the descriptor of this process that holds its server's end. */
interface Verified {
  /** The client's address (the port is the key): another address with the same port is another connection. */
  address: string;
  /** This process's descriptor of the server's end, and the inode of the socket it must still be. */
  ownFd: string;
  ownInode: number;
}

/** What a gate may spend: the agent's shared budgets unless given others. */
export interface GateBudgets {
  /** Full peer checks of new connections. @default PEER_LOOKUPS */
  lookups?: LookupBudget;
  /** Refusals written to the log. @default REFUSAL_LINES */
  refusalLines?: LookupBudget;
}

/** What {@linkcode WorkerGate.admits} decided. */
export type GateVerdict = "admit" | "refuse" | "busy";

/** Refusals written to the log, over all Runtime APIs: a few a second, the rest counted. */
export const REFUSAL_LINES = new LookupBudget({ perSecond: 2, burst: 10 });

/** Past this many remembered connections (clients that open one per request), the memory starts afresh. */
const REMEMBERED = 64;

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
 * Decides whether a request comes from a process of the worker. A connection is checked on its first request:
 * the client's socket is found in /proc/net/tcp by the connection's two ends, then among the open files of the
 * worker's processes. The verdict is remembered by the client's address and port, and each later request from
 * them checks (one `fstat`, under a microsecond) that the connection is still the one verified: this process
 * still holds the server's end of it, the very socket. While that socket is open the kernel gives its address pair
 * to no other connection (a request from that pair is on it), so a process that later connects from the same
 * port, once the verified connection has closed, is checked anew. (Where the client's end went since does not
 * matter: only a process of the worker could have handed it on, and a worker may relay for anyone anyway.)
 */
export class WorkerGate {
  #owner: WorkerPids | null = null;
  readonly #verified = new Map<number, Verified>();
  readonly #warn: (line: string) => void;
  #unwritten = 0;

  readonly #lookups: LookupBudget;
  readonly #refusalLines: LookupBudget;

  constructor(warn: (line: string) => void, budgets: GateBudgets = {}) {
    this.#warn = warn;
    this.#lookups = budgets.lookups ?? PEER_LOOKUPS;
    this.#refusalLines = budgets.refusalLines ?? REFUSAL_LINES;
  }

  /** From now on, admits connections from the processes `owner` lists; until then, none. */
  admit(owner: WorkerPids): void {
    this.#owner = owner;
  }

  /**
   * Whether the connection from `client` (null when unknown) to `server` comes from a process of the worker:
   * `admit`, `refuse`, or `busy` when the agent's budget of lookups for new connections is spent for now (see
   * {@linkcode PEER_LOOKUPS}). A refusal writes one warning naming the client's pid and `what()`, the request it
   * made; past a few a second, they are counted and summed up in the next one.
   */
  admits(client: Endpoint | null, server: Endpoint, what: () => string): GateVerdict {
    if (client === null) {
      this.#refuse(null, what, "its address is unknown");
      return "refuse";
    }
    const known = this.#verified.get(client.port);
    if (known && known.address === client.address && ownSocketInode(known.ownFd) === known.ownInode) {
      return "admit";
    }
    if (known) this.#verified.delete(client.port);
    if (!this.#lookups.take()) return "busy";
    const inodes = connectionInodes(client, server);
    if (inodes === null) {
      this.#refuse(null, what, "its socket is not in /proc/net/tcp");
      return "refuse";
    }
    const owner = this.#owner;
    const holder = owner ? holderAmong(owner(), inodes.client) : null;
    if (holder) {
      // without the server's end in hand the connection cannot be told from a later one: no memory then
      const ownFd = inodes.server === null ? null : ownSocketFd(inodes.server);
      if (ownFd === null || inodes.server === null) return "admit";
      if (this.#verified.size >= REMEMBERED) this.#verified.clear();
      this.#verified.set(client.port, {
        address: client.address,
        ownFd,
        ownInode: inodes.server,
      });
      return "admit";
    }
    this.#refuse(
      // naming the process means searching every process's files: only for the warnings that are written
      () => findSocketHolder(inodes.client)?.pid ?? null,
      what,
      owner ? whyNotOwned(owner) : "the worker has not started yet",
    );
    return "refuse";
  }

  #refuse(pid: number | null | (() => number | null), what: () => string, why: string): void {
    if (!this.#refusalLines.take()) {
      this.#unwritten++;
      return;
    }
    const more = this.#unwritten ? ` (and ${this.#unwritten} more refusals not logged)` : "";
    this.#unwritten = 0;
    const peer = typeof pid === "function" ? pid() : pid;
    this.#warn(`Runtime API refused ${what()} from ${describePeer(peer)}: ${why}${more}`);
  }
}

/** Why a connection is not the worker's: it is not, unless this agent may not see the worker's open files. */
function whyNotOwned(owner: WorkerPids): string {
  const denied = [...owner()].filter(fdsDenied);
  if (!denied.length) return "it is not a process of this worker";
  return `no process of this worker holds it that this agent may look into: reading /proc/<pid>/fd of pids ${
    denied.join(", ")
  } is denied (it needs root with CAP_SYS_PTRACE)`;
}
