/** @module CreateFunction: `POST /2015-03-31/functions`. */
import type { Handler } from "hono";
import { ZipRejectedError } from "../code/mod.ts";
import {
  CreateFunctionInputSchema,
  type FunctionConfig,
  lambdaTimestamp,
  parseInput,
} from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { FunctionExistsError } from "../store/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { readJsonBody } from "./errors.ts";
import { renderConfiguration } from "./render.ts";

/** Builds the CreateFunction handler. */
export function createFunctionHandler(deps: ApiDeps): Handler<ApiEnv> {
  return async (c) => {
    const input = parseInput(CreateFunctionInputSchema, await readJsonBody(c));
    if (deps.store.functions.getVersion(input.FunctionName)) throw conflict(input.FunctionName);
    const zip = Buffer.from(input.Code.ZipFile, "base64");
    if (zip.byteLength === 0) {
      throw new LambdaError("InvalidParameterValueException", "Uploaded file must be a non-empty zip");
    }
    const stored = await deps.code.add(zip).catch((error: unknown) => {
      if (!(error instanceof ZipRejectedError)) throw error;
      throw new LambdaError(
        "InvalidParameterValueException",
        `Could not unzip uploaded file. Please check your file, then try to upload again. (${error.message})`,
        { cause: error },
      );
    });
    const config: FunctionConfig = {
      functionName: input.FunctionName,
      runtime: input.Runtime,
      handler: input.Handler,
      role: input.Role,
      description: input.Description,
      timeout: input.Timeout,
      memorySize: input.MemorySize,
      environment: input.Environment.Variables,
      codeSha256: stored.sha256,
      codeSize: stored.size,
      lastModified: lambdaTimestamp(),
      revisionId: crypto.randomUUID(),
    };
    try {
      deps.store.functions.create(config, input.Tags);
    } catch (error) {
      if (error instanceof FunctionExistsError) throw conflict(input.FunctionName);
      throw error;
    }
    return c.json(renderConfiguration(config, deps), 201);
  };
}

function conflict(name: string): LambdaError {
  return new LambdaError("ResourceConflictException", `Function already exist: ${name}`);
}
