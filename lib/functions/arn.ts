/** @module Function ARNs and the names clients may use in their place. */
import { LambdaError } from "../errors/mod.ts";

/** A function named by a client, split into its name and the qualifier it carried, if any. */
export interface FunctionRef {
  /** The bare function name. */
  name: string;
  /** `$LATEST`, a version number or an alias, when the client gave one. */
  qualifier?: string;
}

const FUNCTION_REF =
  /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]{1,128}))?$/;

/** The unqualified ARN of a function, or the qualified one when `qualifier` is given. */
export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
  return qualifier ? `${base}:${qualifier}` : base;
}

/**
 * Parses a function name as clients send it (`name`, `name:qualifier`, a full ARN or `account:function:name`),
 * checking that a qualifier in the name agrees with the `Qualifier` query parameter.
 */
export function parseFunctionRef(raw: string, queryQualifier?: string): FunctionRef {
  const match = FUNCTION_REF.exec(raw);
  if (!match) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  const name = match[1]!;
  const inName = match[2];
  if (inName !== undefined && queryQualifier !== undefined && inName !== queryQualifier) {
    throw new LambdaError(
      "InvalidParameterValueException",
      "The derived qualifier from the function name does not match the specified qualifier.",
    );
  }
  const qualifier = inName ?? queryQualifier;
  return qualifier === undefined ? { name } : { name, qualifier };
}
