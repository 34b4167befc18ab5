/** @module The one error type every part throws for a Lambda service error, and its wire names. */

/** The Lambda service error names lambdalet answers with, each with its HTTP status. */
export const LAMBDA_ERROR_STATUS = {
  ResourceNotFoundException: 404,
  ProvisionedConcurrencyConfigNotFoundException: 404,
  InvalidRequestContentException: 400,
  InvalidParameterValueException: 400,
  RequestTooLargeException: 413,
  UnsupportedMediaTypeException: 415,
  ResourceConflictException: 409,
  PreconditionFailedException: 412,
  TooManyRequestsException: 429,
  ServiceException: 500,
  InvalidRuntimeException: 502,
  InvalidZipFileException: 502,
  ResourceNotReadyException: 502,
  UnknownOperationException: 404,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 400,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  AccessDeniedException: 403,
} as const;

/** A Lambda service error name, such as `ResourceNotFoundException`. */
export type LambdaErrorType = keyof typeof LAMBDA_ERROR_STATUS;

/** Options of {@linkcode LambdaError}. */
export interface LambdaErrorOptions {
  /** The error that led to this one. */
  cause?: unknown;
  /** Extra members of the JSON body, such as `Reason` for throttles. @default {} */
  body?: Record<string, string>;
  /** Extra response headers, such as `Retry-After`. @default {} */
  headers?: Record<string, string>;
  /** Another status than the name's usual one (503 for ServiceException while shutting down). */
  status?: number;
}

/**
 * A Lambda service error: rendered by the API as status + `x-amzn-ErrorType` + `{"Type","message"}`.
 * Function errors are not LambdaErrors: they travel as invocation results with status 200.
 */
export class LambdaError extends Error {
  /** The wire name, sent in `x-amzn-ErrorType`. */
  readonly type: LambdaErrorType;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** Extra JSON body members. */
  readonly body: Record<string, string>;
  /** Extra response headers. */
  readonly headers: Record<string, string>;

  constructor(type: LambdaErrorType, message: string, options: LambdaErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "LambdaError";
    this.type = type;
    this.status = options.status ?? LAMBDA_ERROR_STATUS[type];
    this.body = options.body ?? {};
    this.headers = options.headers ?? {};
  }

  /** Whether the client or the service is at fault, as the `Type` body member says. */
  get fault(): "User" | "Service" {
    return this.status >= 500 ? "Service" : "User";
  }
}

/** A function, version or alias that does not exist (404): an Event for it can never run, so it is not retried. */
export class FunctionNotFoundError extends LambdaError {
  /** The ARN of what was asked for. */
  readonly arn: string;

  constructor(arn: string) {
    super("ResourceNotFoundException", `Function not found: ${arn}`);
    this.name = "FunctionNotFoundError";
    this.arn = arn;
  }
}

/**
 * The agent cannot take the invocation now (503): it is shutting down, or the function changed while the invocation
 * waited. A client (or the Event queue) tries again later.
 */
export class AgentUnavailableError extends LambdaError {
  constructor(message: string) {
    super("ServiceException", message, { status: 503 });
    this.name = "AgentUnavailableError";
  }
}
