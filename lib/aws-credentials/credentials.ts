/** @module What a credential source hands over, and the error it throws when it cannot. */

/** AWS credentials as a source gives them. */
export interface AwsCredentials {
  /** The access key id. */
  accessKeyId: string;
  /** The secret access key. */
  secretAccessKey: string;
  /** The session token of temporary credentials; null for a long-term key pair. */
  sessionToken: string | null;
  /** When they stop working; null when they do not expire (a key pair, a profile). */
  expiration: Date | null;
}

/** Where credentials come from: each call asks the source again (the cache decides when). */
export interface CredentialSource {
  /** What the source is, for messages (never a secret): `the key pair AKIA…`, `profile edge of /root/.aws/credentials`. */
  readonly description: string;
  /** Fetches credentials; throws a {@linkcode CredentialSourceError} when it cannot. */
  fetch(): Promise<AwsCredentials>;
}

/** A credential source that cannot give credentials now: a file unreadable, a provider refusing or unreachable. */
export class CredentialSourceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CredentialSourceError";
  }
}
