/** @module Stores an uploaded `ZipFile`, turning a bad zip into Lambda's error. */
import { type StoredCode, ZipRejectedError } from "../code/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import type { ApiDeps } from "./context.ts";

/** Decodes, validates, extracts and stores a base64 zip; throws `InvalidParameterValueException` if bad. */
export async function storeZip(deps: ApiDeps, base64: string): Promise<StoredCode> {
  const zip = Buffer.from(base64, "base64");
  if (zip.byteLength === 0) {
    throw new LambdaError("InvalidParameterValueException", "Uploaded file must be a non-empty zip");
  }
  try {
    return await deps.code.add(zip);
  } catch (error) {
    if (!(error instanceof ZipRejectedError)) throw error;
    throw new LambdaError(
      "InvalidParameterValueException",
      `Could not unzip uploaded file. Please check your file, then try to upload again. (${error.message})`,
      { cause: error },
    );
  }
}
