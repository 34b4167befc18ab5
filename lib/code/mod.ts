/** @module Function code: zips validated, stored by SHA-256, extracted read-only, and collected once unused. */
export {
  CodeStore,
  type CodeStoreOptions,
  hexToBase64,
  LAYER_TREES,
  sha256Of,
  type StoredCode,
} from "./code-store.ts";
export { folderSize, layerTreeKey } from "./layer-tree.ts";
export type { CodeLease } from "./code-holds.ts";
export type { CollectSummary } from "./code-collector.ts";
export { extractZip, MAX_UNZIPPED_BYTES, ZipRejectedError } from "./zip-extract.ts";
export { buildZip, type ZipEntry } from "./zip-build.ts";
