/** @module Dashboard sessions: a random id in a cookie names a signed-in admin key, kept in memory until it expires. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** One signed-in browser. */
export interface DashboardSession {
  /** The admin key it signed in with. */
  accessKeyId: string;
  /** The SHA-256 of that key's secret at sign-in: a rotation or deletion of the key ends the session. */
  secretDigest: string;
  /** The token every form of this session carries (checked on each POST). */
  csrfToken: string;
  /** When it ends at the latest (ms since the epoch). */
  expiresAt: number;
  /** When it ends unless it is used before (ms since the epoch). */
  idleExpiresAt: number;
}

/** Options of {@linkcode DashboardSessions}. */
export interface DashboardSessionOptions {
  /** How long a session lasts at most. @default 8 hours */
  maxAgeMs?: number;
  /** How long a session lasts unused. @default 30 minutes */
  idleMs?: number;
  /** How many sessions are kept at once; a new one past that ends the oldest. @default 64 */
  maxSessions?: number;
  /** The clock. @default Date.now */
  now?: () => number;
}

/** A random token of 32 bytes, base64url. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The hex SHA-256 of `text`. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Whether `given` equals `expected`, in time that does not depend on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The sessions of the dashboard, in memory only (a restart signs everyone out). They are kept by the SHA-256 of
 * their id, so that the map never holds a usable cookie and a lookup's time tells nothing of the id.
 */
export class DashboardSessions {
  readonly #sessions = new Map<string, DashboardSession>();
  readonly #maxAgeMs: number;
  readonly #idleMs: number;
  readonly #maxSessions: number;
  readonly #now: () => number;

  constructor(options: DashboardSessionOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 8 * 3600_000;
    this.#idleMs = options.idleMs ?? 30 * 60_000;
    this.#maxSessions = options.maxSessions ?? 64;
    this.#now = options.now ?? Date.now;
    if (this.#maxSessions < 1) {
      throw new RangeError(
        `Cannot keep dashboard sessions as 'maxSessions' must be ≥ 1: current value is ${this.#maxSessions}`,
      );
    }
  }

  /** How many sessions are open. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Opens a session for an admin key; returns its id (for the cookie) and the session. */
  open(accessKeyId: string, secretDigest: string): { id: string; session: DashboardSession } {
    this.#sweep();
    while (this.#sessions.size >= this.#maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const id = randomToken();
    const now = this.#now();
    const session: DashboardSession = {
      accessKeyId,
      secretDigest,
      csrfToken: randomToken(),
      expiresAt: now + this.#maxAgeMs,
      idleExpiresAt: now + this.#idleMs,
    };
    this.#sessions.set(sha256Hex(id), session);
    return { id, session };
  }

  /** The live session with this id (its idle time starts again), or null. */
  find(id: string | undefined): DashboardSession | null {
    if (!id) return null;
    const key = sha256Hex(id);
    const session = this.#sessions.get(key);
    if (!session) return null;
    const now = this.#now();
    if (now >= session.expiresAt || now >= session.idleExpiresAt) {
      this.#sessions.delete(key);
      return null;
    }
    session.idleExpiresAt = Math.min(session.expiresAt, now + this.#idleMs);
    return session;
  }

  /** Ends the session with this id, if any. */
  close(id: string | undefined): void {
    if (id) this.#sessions.delete(sha256Hex(id));
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, session] of this.#sessions) {
      if (now >= session.expiresAt || now >= session.idleExpiresAt) this.#sessions.delete(key);
    }
  }
}
