/**
 * @module Brings the code a fleet document names by SHA-256 from the hub's object store: each zip the device lacks
 * is downloaded, its SHA-256 checked against its name, and added to the code store under the caller's lease.
 */
import { type ObjectStore, Objm, setSha256Backend } from "@nats-io/obj";
import { MAX_ZIPPED_BYTES } from "../api/account-settings.ts";
import type { NatsConnection } from "@nats-io/transport-node";
import { type CodeLease, type CodeStore, sha256Of } from "../code/mod.ts";
import type { DeploymentDocument } from "../config/mod.ts";
import type { CodeBlobs } from "../store/mod.ts";
import { CODE_STORE } from "./names.ts";

/** Code that could not be brought: missing on the hub, corrupted on the way, or not a valid zip. */
export class CodeFetchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CodeFetchError";
  }
}

let nativeHashes = false;

/** The hex SHA-256s a document's functions name, in order, each once. */
export function codeOf(document: DeploymentDocument): string[] {
  const sha256s = document.functions.flatMap((fn) => fn.Code && "Sha256" in fn.Code ? [fn.Code.Sha256] : []);
  return [...new Set(sha256s)];
}

/**
 * Holds (with `lease`) every zip `document` names, downloading from the hub those `blobs` lacks. Returns how many
 * were downloaded; throws {@linkcode CodeFetchError} naming the first that could not be brought. An object past
 * `maxBytes` (a local zip's limit) is refused as it arrives, never held past it.
 */
export async function fetchCode(
  nc: NatsConnection,
  document: DeploymentDocument,
  stores: { code: CodeStore; blobs: CodeBlobs },
  lease: CodeLease,
  maxBytes: number = MAX_ZIPPED_BYTES,
): Promise<number> {
  const wanted = codeOf(document);
  // held before the check: code nothing references may otherwise be collected between the check and the deployment
  for (const sha256 of wanted) lease.hold(sha256);
  const present = new Set(stores.blobs.list());
  const missing = wanted.filter((sha256) => !present.has(sha256));
  if (missing.length === 0) return 0;
  if (!nativeHashes) {
    setSha256Backend("native");
    nativeHashes = true;
  }
  let objects;
  try {
    objects = await new Objm(nc).open(CODE_STORE);
  } catch (error) {
    throw new CodeFetchError(
      `cannot open the hub's code store ${CODE_STORE}: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  for (const sha256 of missing) {
    let zip: Uint8Array | null;
    try {
      zip = await download(objects, sha256, maxBytes);
    } catch (error) {
      if (error instanceof CodeFetchError) throw error;
      throw new CodeFetchError(
        `cannot download the code ${sha256}: ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    }
    if (!zip) throw new CodeFetchError(`the hub has no code ${sha256}`);
    if (sha256Of(zip).hex !== sha256) {
      throw new CodeFetchError(`the code ${sha256} from the hub has another SHA-256`);
    }
    try {
      await stores.code.add(zip, lease);
    } catch (error) {
      throw new CodeFetchError(
        `the code ${sha256} is not usable: ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    }
  }
  return missing.length;
}

/** The object `name`'s bytes (null: none), read as they arrive and refused once past `maxBytes`. */
async function download(objects: ObjectStore, name: string, maxBytes: number): Promise<Uint8Array | null> {
  const result = await objects.get(name);
  if (!result) return null;
  const failed = result.error.then((error) => error, (error: unknown) => error);
  const tooLarge = (size: number) =>
    new CodeFetchError(`the code ${name} on the hub is ${size} bytes or more, past ${maxBytes}`);
  if (result.info.size > maxBytes) {
    await result.data.cancel().catch(() => {});
    throw tooLarge(result.info.size);
  }
  const reader = result.data.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(total);
    }
    chunks.push(value);
  }
  const error = await failed;
  if (error) throw error;
  return new Uint8Array(Buffer.concat(chunks));
}
