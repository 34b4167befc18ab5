/** @module SHA-256 and HMAC-SHA256 for the SigV4 signer, on the runtime's native crypto. */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";

/** The hash the signer builds for each digest: plain SHA-256, or HMAC-SHA256 when given a secret. */
export class Sha256 {
  readonly #hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBytes(secret));
  }

  /** Adds `data` to the digest. */
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(toBytes(data));
  }

  /** The digest of everything added. */
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }

  /** Not needed by the signer: each digest uses a new instance. */
  reset(): void {
    throw new Error("Sha256.reset is not supported: make a new instance");
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** The hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return Bun.SHA256.hash(bytes, "hex");
}
