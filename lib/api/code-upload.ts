/** @module Stores an uploaded `ZipFile`, turning a bad zip into Lambda's error. */
import { type CodeLease, type StoredCode, ZipRejectedError } from "../code/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import type { ApiDeps } from "./context.ts";

/**
 * Decodes, validates, extracts and stores a base64 zip, held by `lease` until the caller has saved what uses it;
 * throws `InvalidParameterValueException` if bad.
 */
export async function storeZip(deps: ApiDeps, base64: string, lease: CodeLease): Promise<StoredCode> {
  const zip = Buffer.from(base64, "base64");
  if (zip.byteLength === 0) {
    throw new LambdaError("InvalidParameterValueException", "Uploaded file must be a non-empty zip");
  }
  try {
    return await deps.code.add(zip, lease);
  } catch (error) {
    if (!(error instanceof ZipRejectedError)) throw error;
    throw new LambdaError(
      "InvalidParameterValueException",
      `Could not unzip uploaded file. Please check your file, then try to upload again. (${error.message})`,
      { cause: error },
    );
  }
}

/**
 * Stores an uploaded zip and runs `save` with it; the code cannot be collected before `save` has written what
 * references it (or failed: then it goes soon after, as does any code that `save` stopped using).
 */
export async function withStoredZip<T>(
  deps: ApiDeps,
  base64: string,
  save: (stored: StoredCode) => T,
): Promise<T> {
  const lease = deps.code.lease();
  try {
    return save(await storeZip(deps, base64, lease));
  } finally {
    lease.release();
    deps.code.collectSoon();
  }
}
