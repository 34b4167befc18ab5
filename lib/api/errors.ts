/**
 * @module The one place that turns errors into Lambda's wire format: a `LambdaError` carries its type; every other
 * part's named error is mapped by the table below; anything else is the agent's fault (500, details in its log).
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZipRejectedError } from "../code/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import {
  functionArn,
  FunctionNotRunnableError,
  ProvisionedConcurrencyConfigNotFoundError,
} from "../functions/mod.ts";
import { IsolationUnavailableError, PosixUserError } from "../sandbox/mod.ts";
import {
  AliasExistsError,
  FunctionExistsError,
  FunctionUrlExistsError,
  NotFoundError,
  RevisionMismatchError,
  UidRangeFullError,
} from "../store/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";

type Names = Pick<ApiDeps, "region" | "accountId">;

// deno-lint-ignore no-explicit-any
type ErrorClass = abstract new (...args: any[]) => Error;

/** One row of the table: an error class and the Lambda error it is sent as. */
interface ErrorMapping<E extends Error = Error> {
  /** The class (subclasses match too). */
  type: ErrorClass;
  /** Its Lambda error. */
  toLambda(error: E, names: Names): LambdaError;
}

function mapping<C extends ErrorClass>(
  type: C,
  toLambda: (error: InstanceType<C>, names: Names) => LambdaError,
): ErrorMapping {
  return { type, toLambda: toLambda as ErrorMapping["toLambda"] };
}

/** Every named error of the lower parts that can reach a client, and the Lambda error it is sent as. */
const ERROR_TABLE: readonly ErrorMapping[] = [
  mapping(FunctionExistsError, (error) => new LambdaError("ResourceConflictException", error.message)),
  mapping(AliasExistsError, (error, names) =>
    new LambdaError(
      "ResourceConflictException",
      `Alias already exists: ${functionArn(names.region, names.accountId, error.functionName, error.alias)}`,
    )),
  mapping(FunctionUrlExistsError, (error, names) =>
    new LambdaError(
      "ResourceConflictException",
      `Failed to create function url config for [functionArn = ${
        functionArn(names.region, names.accountId, error.functionName, error.qualifier || undefined)
      }]. Error message:  FunctionUrlConfig exists for this Lambda function`,
    )),
  mapping(NotFoundError, (error) => new LambdaError("ResourceNotFoundException", error.message)),
  mapping(
    ProvisionedConcurrencyConfigNotFoundError,
    (error) => new LambdaError("ProvisionedConcurrencyConfigNotFoundException", error.message),
  ),
  mapping(RevisionMismatchError, (error) => new LambdaError("PreconditionFailedException", error.message)),
  mapping(ZipRejectedError, (error) =>
    new LambdaError(
      "InvalidParameterValueException",
      `Could not unzip uploaded file. Please check your file, then try to upload again. (${error.message})`,
      { cause: error },
    )),
  // a configuration the host cannot run is refused when it is saved...
  mapping(
    FunctionNotRunnableError,
    (error) => new LambdaError("InvalidParameterValueException", error.message, { cause: error }),
  ),
  // ...and when the host changed after it was saved, its invocations fail as Lambda's do for a broken runtime
  mapping(
    IsolationUnavailableError,
    (error) => new LambdaError("InvalidRuntimeException", error.message, { cause: error }),
  ),
  mapping(
    PosixUserError,
    (error) => new LambdaError("InvalidRuntimeException", error.message, { cause: error }),
  ),
  mapping(UidRangeFullError, (error) => new LambdaError("ServiceException", error.message, { cause: error })),
  mapping(
    HTTPException,
    (error) =>
      error.status === 413
        ? new LambdaError(
          "RequestTooLargeException",
          error.message || "Request must be smaller than 6291456 bytes",
        )
        : error.status < 500
        ? new LambdaError("InvalidRequestContentException", error.message, { cause: error })
        : internal(error),
  ),
];

function internal(error: Error): LambdaError {
  return new LambdaError("ServiceException", "An internal error occurred in the agent; see its log", {
    cause: error,
  });
}

/** The Lambda error `error` is sent as. */
export function toLambdaError(error: Error, names: Names): LambdaError {
  if (error instanceof LambdaError) return error;
  const row = ERROR_TABLE.find((row) => error instanceof row.type);
  return row ? row.toLambda(error, names) : internal(error);
}

/** Renders a Lambda error as its response: status, `x-amzn-ErrorType` and `{"Type","message"}`. */
function respond(lambdaError: LambdaError, c: Context<ApiEnv>): Response {
  return Response.json(
    { Type: lambdaError.fault, message: lambdaError.message, ...lambdaError.body },
    {
      status: lambdaError.status,
      headers: {
        "x-amzn-ErrorType": lambdaError.type,
        "x-amzn-RequestId": c.get("requestId") ?? crypto.randomUUID(),
        ...lambdaError.headers,
      },
    },
  );
}

/** Builds the handler of any error thrown by a handler: sent as a Lambda service error, logged when it is ours. */
export function errorRenderer(names: Names): (error: Error, c: Context<ApiEnv>) => Response {
  return (error, c) => {
    const lambdaError = toLambdaError(error, names);
    if (lambdaError.status >= 500) console.error(`[api] ${c.req.method} ${c.req.path}:`, error);
    return respond(lambdaError, c);
  };
}

/** Builds the answer to a path no operation serves. */
export function unknownOperation(names: Names): (c: Context<ApiEnv>) => Response {
  const render = errorRenderer(names);
  return (c) =>
    render(
      new LambdaError("UnknownOperationException", `Unknown operation: ${c.req.method} ${c.req.path}`),
      c,
    );
}
