/** @module The valibot schema of a deployment document (JSON or YAML): functions with code and configuration. */
import * as v from "valibot";
import { Base64Schema, CreateFunctionInputSchema } from "./function-input.ts";

/** One function of a deployment: CreateFunction's members, with code as a zip or an already stored SHA-256. */
export const DeploymentFunctionSchema = v.object({
  ...CreateFunctionInputSchema.entries,
  Code: v.union(
    [
      v.object({ ZipFile: Base64Schema }),
      v.object({
        Sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "must be a hex SHA-256 of stored code")),
      }),
    ],
    "Code must hold ZipFile (base64) or Sha256 (hex, of code already stored); the CLI turns ZipFilePath into ZipFile",
  ),
});

/** A deployment document. */
export const DeploymentDocumentSchema = v.object({
  failureHandlingPolicy: v.optional(
    v.picklist(["ROLLBACK", "DO_NOTHING"], "must be ROLLBACK or DO_NOTHING"),
    "ROLLBACK",
  ),
  functions: v.pipe(
    v.array(DeploymentFunctionSchema),
    v.check(
      (functions) => new Set(functions.map((fn) => fn.FunctionName)).size === functions.length,
      "must name each function once",
    ),
  ),
});

/** A validated deployment document. */
export type DeploymentDocument = v.InferOutput<typeof DeploymentDocumentSchema>;
