/** @module Caps the CPU that connections of unknown processes can make the agent spend on /proc lookups. */

/** Options of {@linkcode LookupBudget}. */
export interface LookupBudgetOptions {
  /** Lookups allowed per second, over all Runtime APIs of the agent. @default 100 */
  perSecond?: number;
  /** Lookups allowed at once after a quiet spell. @default 20 */
  burst?: number;
  /** The clock, in ms. @default performance.now */
  now?: () => number;
}

/**
 * A token bucket for the full peer check of a new connection (reading /proc/net/tcp costs about 2 ms: the kernel
 * walks its whole connection table). Connections already verified never spend from it, so a worker that keeps its
 * connection (every bundled runtime does) is not slowed by a process that floods its port with new ones; at the
 * default rate such a flood costs the agent at most about a fifth of one core.
 */
export class LookupBudget {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(options: LookupBudgetOptions = {}) {
    this.#perMs = (options.perSecond ?? 100) / 1000;
    this.#burst = options.burst ?? 20;
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = this.#burst;
    this.#last = this.#now();
  }

  /** Takes one lookup from the budget; false when it is spent for now. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#perMs);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** The agent's one budget, shared by every worker's Runtime API. */
export const PEER_LOOKUPS = new LookupBudget();
