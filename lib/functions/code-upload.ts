/** @module Stores an uploaded `ZipFile` so that nothing collects it before what uses it is saved. */
import type { CodeLease, CodeStore, StoredCode } from "../code/mod.ts";
import { LambdaError } from "../errors/mod.ts";

/**
 * Decodes, validates, extracts and stores a base64 zip, held by `lease` until the caller has saved what uses it.
 * A bad zip throws the code store's `ZipRejectedError`.
 */
export async function storeZip(code: CodeStore, base64: string, lease: CodeLease): Promise<StoredCode> {
  const zip = Buffer.from(base64, "base64");
  if (zip.byteLength === 0) {
    throw new LambdaError("InvalidParameterValueException", "Uploaded file must be a non-empty zip");
  }
  return await code.add(zip, lease);
}

/**
 * Stores an uploaded zip and runs `save` with it; the code cannot be collected before `save` has written what
 * references it (or failed: then it goes soon after, as does any code that `save` stopped using).
 */
export async function withStoredZip<T>(
  code: CodeStore,
  base64: string,
  save: (stored: StoredCode) => T,
): Promise<T> {
  const lease = code.lease();
  try {
    return save(await storeZip(code, base64, lease));
  } finally {
    lease.release();
    code.collectSoon();
  }
}
