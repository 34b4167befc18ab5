/** @module Functions' AWS credentials: the tokens their workers hold, and the cached credentials those tokens buy. */
import { CredentialCache, type CredentialCacheOptions, type ServedCredentials } from "./cache.ts";
import { type CredentialSource, CredentialSourceError } from "./credentials.ts";
import { WorkerTokens } from "./worker-tokens.ts";

/** The variables a worker starts with, and how to take them back. */
export interface AwsCredentialsGrant {
  /** `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`. */
  env: Record<string, string>;
  /** Revokes the worker's token. */
  revoke(): void;
}

/** Options of {@linkcode AwsCredentialService}. */
export interface AwsCredentialServiceOptions extends CredentialCacheOptions {
  /** Told once per function that asks for credentials while the agent has no source. @default none */
  onUnconfigured?: (functionName: string) => void;
}

/** Hands workers tokens and serves the credentials of the agent's `tokenExchange` source to their holders. */
export class AwsCredentialService {
  readonly #cache: CredentialCache | null;
  readonly #tokens = new WorkerTokens();
  readonly #onUnconfigured: (functionName: string) => void;
  readonly #warned = new Set<string>();

  /** `source` null: no source is configured, and no worker is given a token. */
  constructor(source: CredentialSource | null, options: AwsCredentialServiceOptions = {}) {
    this.#cache = source && new CredentialCache(source, options);
    this.#onUnconfigured = options.onUnconfigured ?? (() => {});
  }

  /** What the credentials come from (never a secret), or null without a source. */
  get description(): string | null {
    return this.#cache?.description ?? null;
  }

  /**
   * The grant of a new worker of `functionName`: a fresh token and the URL (`fullUri`) to present it to. Null when
   * the function does not ask (`allowed` false) or the agent has no source.
   */
  grant(functionName: string, allowed: boolean, fullUri: string): AwsCredentialsGrant | null {
    if (!allowed) return null;
    if (!this.#cache) {
      if (!this.#warned.has(functionName)) {
        this.#warned.add(functionName);
        this.#onUnconfigured(functionName);
      }
      return null;
    }
    const token = this.#tokens.issue(functionName);
    return {
      env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: fullUri, AWS_CONTAINER_AUTHORIZATION_TOKEN: token },
      revoke: () => this.#tokens.revoke(token),
    };
  }

  /** The function whose running worker holds `token`, or null (unknown, revoked, absent). */
  holder(token: string | null | undefined): string | null {
    return this.#tokens.holder(token);
  }

  /** How many workers hold a live token. */
  get liveTokens(): number {
    return this.#tokens.size;
  }

  /** The current credentials; throws a {@linkcode CredentialSourceError} when the source fails or there is none. */
  async credentials(): Promise<ServedCredentials> {
    if (!this.#cache) throw new CredentialSourceError("The agent has no tokenExchange source configured");
    return await this.#cache.get();
  }
}
