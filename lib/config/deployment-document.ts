/** @module The valibot schema of a deployment document (JSON or YAML): functions with code and configuration. */
import * as v from "valibot";
import { Base64Schema, CreateFunctionInputSchema } from "./function-input.ts";
import { GreengrassImportInputSchema } from "./greengrass-schemas.ts";

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

/** A validated function entry of a deployment document. */
export type DeploymentFunction = v.InferOutput<typeof DeploymentFunctionSchema>;

/** A deployment document. */
export const DeploymentDocumentSchema = v.object({
  failureHandlingPolicy: v.optional(
    v.picklist(["ROLLBACK", "DO_NOTHING"], "must be ROLLBACK or DO_NOTHING"),
    "ROLLBACK",
  ),
  functions: v.pipe(
    // an entry with `greengrassComponent` is a Greengrass component, named once it is mapped
    v.array(
      v.lazy((entry) =>
        typeof entry === "object" && entry !== null && "greengrassComponent" in entry
          ? GreengrassImportInputSchema
          : DeploymentFunctionSchema
      ),
    ),
    v.check((functions) => {
      const names = functions.flatMap((fn) => "FunctionName" in fn ? [fn.FunctionName] : []);
      return new Set(names).size === names.length;
    }, "must name each function once"),
  ),
});

/** A validated deployment document. */
export type DeploymentDocument = v.InferOutput<typeof DeploymentDocumentSchema>;
