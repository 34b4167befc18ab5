/** @module Function code: zips validated, stored by SHA-256 and extracted read-only. */
export { CodeStore, hexToBase64, sha256Of, type StoredCode } from "./code-store.ts";
export { extractZip, MAX_UNZIPPED_BYTES, ZipRejectedError } from "./zip-extract.ts";
export { buildZip, type ZipEntry } from "./zip-build.ts";
