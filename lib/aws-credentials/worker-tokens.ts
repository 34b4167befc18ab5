/** @module The tokens workers present for their AWS credentials: random, one per worker, revoked at its exit. */
import { randomBytes } from "node:crypto";

/** Bytes of randomness in a token (256 bits). */
const TOKEN_BYTES = 32;

function digest(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("hex");
}

/** The tokens issued to running workers, kept by digest (a lookup never compares a secret byte by byte). */
export class WorkerTokens {
  readonly #holders = new Map<string, string>();

  /** Issues a new token to a worker of `functionName`. */
  issue(functionName: string): string {
    const token = randomBytes(TOKEN_BYTES).toString("base64url");
    this.#holders.set(digest(token), functionName);
    return token;
  }

  /** Makes `token` worthless. */
  revoke(token: string): void {
    this.#holders.delete(digest(token));
  }

  /** The function whose worker holds `token`, or null when it is unknown, revoked or absent. */
  holder(token: string | null | undefined): string | null {
    if (!token) return null;
    return this.#holders.get(digest(token)) ?? null;
  }

  /** How many tokens are live. */
  get size(): number {
    return this.#holders.size;
  }
}
