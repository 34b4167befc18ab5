/** @module Every key the agent accepts: stored keys (admin and invoke) and the short-lived keys of workers. */
import { createHash } from "node:crypto";
import type { ApiKeyRecord, ApiKeyRepository, KeyScope } from "../store/mod.ts";
import { newAccessKeyId, newSecret, newSessionKeyId, newSessionToken } from "./key-material.ts";

/** Who signed a request, and what that key may do. */
export interface Principal {
  /** The key's id. */
  accessKeyId: string;
  /** What it may do. */
  scope: KeyScope;
  /** For `invoke` keys, the functions it may invoke (`*` for all). */
  functions: readonly string[];
  /** Whether it is a worker's temporary key (signed with a session token). */
  session: boolean;
  /** For a worker's key, the function it runs and the topic filters it may publish to (`Edge.publishTopics`). */
  publisher?: SessionPublisher;
}

/** Who publishes with a worker's key, and where it may. */
export interface SessionPublisher {
  /** The worker's function: its own subscriptions skip what it publishes unless they ask for it. */
  functionName: string;
  /** Topic filters it may publish to; empty: none. */
  topics: readonly string[];
}

/** A key with its secret, as the signature verifier needs it. */
export interface SigningKey extends Principal {
  /** The secret access key. */
  secret: string;
  /** The session token a temporary key's requests must carry. */
  sessionToken?: string;
}

/** Temporary credentials handed to a worker, in the AWS environment variables' terms. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /**
   * A bearer token with the same rights, for the Greengrass IPC door (the worker's `AUTH_TOKEN`): the Greengrass
   * Core SDKs send one opaque token rather than a signature.
   */
  authToken: string;
}

/** The key under which an auth token is kept: its SHA-256, so that the map never holds a usable token. */
function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Options of {@linkcode Keyring.create}. */
export interface NewKeyOptions {
  /** What the key may do. */
  scope: KeyScope;
  /** For `invoke` keys, the functions (`*` for all). @default [] */
  functions?: string[];
  /** A note for people. @default "" */
  description?: string;
}

/** The description of the admin key written to the credentials file. */
export const DEFAULT_KEY_DESCRIPTION = "default";

function toSigningKey(record: ApiKeyRecord): SigningKey {
  return {
    accessKeyId: record.accessKeyId,
    secret: record.secret,
    scope: record.scope,
    functions: record.functions,
    session: false,
  };
}

/** Looks keys up for every request (cached), and creates, rotates and deletes them. */
export class Keyring {
  readonly #keys: ApiKeyRepository;
  readonly #cache = new Map<string, SigningKey | null>();
  readonly #sessions = new Map<string, SigningKey>();
  /** Workers' auth tokens (by digest) and the session each belongs to. */
  readonly #authTokens = new Map<string, string>();

  constructor(keys: ApiKeyRepository) {
    this.#keys = keys;
  }

  /** The key with this id, or null: stored keys and open worker sessions. */
  find(accessKeyId: string): SigningKey | null {
    const session = this.#sessions.get(accessKeyId);
    if (session) return session;
    const cached = this.#cache.get(accessKeyId);
    if (cached !== undefined) return cached;
    const record = this.#keys.get(accessKeyId);
    const key = record ? toSigningKey(record) : null;
    // unknown ids are not cached: a flood of random ids must not grow the cache
    if (key) this.#cache.set(accessKeyId, key);
    return key;
  }

  /** Every stored key, secrets included (callers decide what to show). */
  list(): ApiKeyRecord[] {
    return this.#keys.list();
  }

  /** Creates and stores a key. */
  create(options: NewKeyOptions): ApiKeyRecord {
    const record: ApiKeyRecord = {
      accessKeyId: newAccessKeyId(),
      secret: newSecret(),
      scope: options.scope,
      functions: options.scope === "invoke" ? options.functions ?? [] : [],
      description: options.description ?? "",
      createdAt: new Date().toISOString(),
    };
    this.#keys.insert(record);
    return record;
  }

  /** The admin key of the credentials file, created on first use. */
  defaultKey(): ApiKeyRecord {
    return this.#keys.findByDescription(DEFAULT_KEY_DESCRIPTION) ??
      this.create({ scope: "admin", description: DEFAULT_KEY_DESCRIPTION });
  }

  /** Gives a stored key a new secret (the old one stops working at once); null when there is no such key. */
  rotate(accessKeyId: string): ApiKeyRecord | null {
    const changed = this.#keys.setSecret(accessKeyId, newSecret(), new Date().toISOString());
    this.#cache.delete(accessKeyId);
    return changed ? this.#keys.get(accessKeyId) : null;
  }

  /** Deletes a stored key; false when there was none. */
  delete(accessKeyId: string): boolean {
    this.#cache.delete(accessKeyId);
    return this.#keys.delete(accessKeyId);
  }

  /**
   * Opens a temporary key that may invoke exactly `functions` (and, with `publisher`, publish as that function to
   * its topics), valid until {@linkcode closeSession}. It never has admin rights.
   */
  openSession(functions: readonly string[], publisher?: SessionPublisher): SessionCredentials {
    const credentials = {
      accessKeyId: newSessionKeyId(),
      secretAccessKey: newSecret(),
      sessionToken: newSessionToken(),
      authToken: newSessionToken(),
    };
    this.#authTokens.set(tokenDigest(credentials.authToken), credentials.accessKeyId);
    this.#sessions.set(credentials.accessKeyId, {
      accessKeyId: credentials.accessKeyId,
      secret: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      scope: "invoke",
      functions: [...functions],
      session: true,
      ...(publisher
        ? { publisher: { functionName: publisher.functionName, topics: [...publisher.topics] } }
        : {}),
    });
    return credentials;
  }

  /** The worker session whose auth token (`AUTH_TOKEN`) this is, or null (unknown, or revoked with its session). */
  findByAuthToken(token: string): Principal | null {
    if (!token) return null;
    const accessKeyId = this.#authTokens.get(tokenDigest(token));
    return accessKeyId === undefined ? null : this.#sessions.get(accessKeyId) ?? null;
  }

  /** Revokes a temporary key and its auth token. */
  closeSession(accessKeyId: string): void {
    this.#sessions.delete(accessKeyId);
    for (const [digest, owner] of this.#authTokens) {
      if (owner === accessKeyId) this.#authTokens.delete(digest);
    }
  }
}
