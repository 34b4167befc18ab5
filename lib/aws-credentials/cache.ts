/** @module Credentials kept until shortly before they expire; callers at the same moment share one fetch. */
import type { AwsCredentials, CredentialSource } from "./credentials.ts";

/** Credentials as the agent serves them: with an expiry always (the container credentials format needs one). */
export interface ServedCredentials extends AwsCredentials {
  expiration: Date;
}

/** Options of {@linkcode CredentialCache}. */
export interface CredentialCacheOptions {
  /** How long before their expiry credentials are fetched again, in ms. @default 300_000 (5 minutes) */
  refreshBeforeMs?: number;
  /** How long credentials that do not expire (a key pair, a profile) are served before the source is read again, in ms. @default 3_600_000 */
  staticLifetimeMs?: number;
  /** The clock, in ms since the epoch. @default Date.now */
  now?: () => number;
  /** Told when a refresh failed while the credentials held are still valid (they are served meanwhile). @default none */
  onStaleServed?: (error: unknown) => void;
}

/** Serves a source's credentials, fetching again only when they are within `refreshBeforeMs` of their expiry. */
export class CredentialCache {
  readonly #source: CredentialSource;
  readonly #refreshBeforeMs: number;
  readonly #staticLifetimeMs: number;
  readonly #now: () => number;
  readonly #onStaleServed: (error: unknown) => void;
  #current: ServedCredentials | null = null;
  #pending: Promise<ServedCredentials> | null = null;

  constructor(source: CredentialSource, options: CredentialCacheOptions = {}) {
    this.#source = source;
    this.#refreshBeforeMs = options.refreshBeforeMs ?? 300_000;
    this.#staticLifetimeMs = options.staticLifetimeMs ?? 3_600_000;
    this.#now = options.now ?? Date.now;
    this.#onStaleServed = options.onStaleServed ?? (() => {});
  }

  /** What the credentials come from (never a secret). */
  get description(): string {
    return this.#source.description;
  }

  /** Credentials valid for a while yet; throws the source's error when it fails and none valid are held. */
  async get(): Promise<ServedCredentials> {
    const current = this.#current;
    if (current && this.#now() < current.expiration.getTime() - this.#refreshBeforeMs) return current;
    this.#pending ??= this.#refresh().finally(() => {
      this.#pending = null;
    });
    return await this.#pending;
  }

  async #refresh(): Promise<ServedCredentials> {
    try {
      const fetched = await this.#source.fetch();
      const expiration = fetched.expiration ?? new Date(this.#now() + this.#staticLifetimeMs);
      this.#current = { ...fetched, expiration };
      return this.#current;
    } catch (error) {
      const held = this.#current;
      if (held && this.#now() < held.expiration.getTime()) {
        this.#onStaleServed(error);
        return held;
      }
      throw error;
    }
  }
}
