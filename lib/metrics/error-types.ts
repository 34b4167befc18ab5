/** @module The `error_type` label: a fixed set of error types, so that a function's own names cannot grow the series. */

/** The error types counted by name: Lambda's platform and runtime errors, and the languages' common built-in ones. */
export const KNOWN_ERROR_TYPES: ReadonlySet<string> = new Set([
  "Function.ResponseSizeTooLarge",
  "Runtime.ExitError",
  "Runtime.HandlerNotFound",
  "Runtime.ImportModuleError",
  "Runtime.InvalidEntrypoint",
  "Runtime.InvalidStreamingOperation",
  "Runtime.MalformedHandlerName",
  "Runtime.MalformedStreamingHandler",
  "Runtime.NodeJsExit",
  "Runtime.OutOfMemory",
  "Runtime.Unknown",
  "Runtime.UserCodeSyntaxError",
  "Sandbox.Timedout",
  "ServiceException",
  // JavaScript
  "Error",
  "TypeError",
  "RangeError",
  "ReferenceError",
  "SyntaxError",
  // Python
  "Exception",
  "ValueError",
  "KeyError",
  "RuntimeError",
]);

/** The label every other error type is counted under. */
export const OTHER_ERROR_TYPE = "other";

/** The `error_type` label of `errorType`: itself when it is one of {@linkcode KNOWN_ERROR_TYPES}, else `other`. */
export function errorTypeLabel(errorType: string): string {
  return KNOWN_ERROR_TYPES.has(errorType) ? errorType : OTHER_ERROR_TYPE;
}
