/** @module The configuration of one function version, as lambdalet stores and runs it. */

/** Everything needed to describe and run one version of a function. */
export interface FunctionConfig {
  /** The function's name, unique on this agent. */
  functionName: string;
  /** A runtime id such as `nodejs20.x`. */
  runtime: string;
  /** The handler, such as `index.handler`. */
  handler: string;
  /** The execution role ARN the client sent; kept for the clients, unused on a device. */
  role: string;
  /** Free text. @default "" */
  description: string;
  /** Seconds an invocation may run. @default 3 */
  timeout: number;
  /** Memory in MB, reported to the function. @default 128 */
  memorySize: number;
  /** The function's own environment variables. @default {} */
  environment: Record<string, string>;
  /** Hex SHA-256 of the code zip. */
  codeSha256: string;
  /** Size of the code zip in bytes. */
  codeSize: number;
  /** When this version last changed, in Lambda's `2024-01-11T09:49:02.956+0000` format. */
  lastModified: string;
  /** Changes whenever the configuration or code changes. */
  revisionId: string;
}

/** Defaults that Lambda applies when a client leaves a member out. */
export const FUNCTION_DEFAULTS = {
  timeout: 3,
  memorySize: 128,
  description: "",
} as const;

/** Formats a date as Lambda formats `LastModified`: `2024-01-11T09:49:02.956+0000`. */
export function lambdaTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace("Z", "+0000");
}
