// lambdalet's aws-greengrass-common-js: the module the Greengrass Core SDK for Node.js (npm aws-greengrass-core-sdk)
// requires and Greengrass's own runtime used to provide. It names the worker's Greengrass environment, splits and
// builds function ARNs, and logs. lambdalet writes it under its runtimes folder; workers find it through NODE_PATH,
// after the function's own node_modules.
"use strict";

/** The variables the SDK reads, as the agent set them for this worker (AUTH_TOKEN only for functions allowed to use IPC). */
const envVars = Object.freeze({
  MY_FUNCTION_ARN: process.env.MY_FUNCTION_ARN,
  ROUTER_FUNCTION_ARN: process.env.ROUTER_FUNCTION_ARN,
  SHADOW_FUNCTION_ARN: process.env.SHADOW_FUNCTION_ARN,
  SECRETS_MANAGER_FUNCTION_ARN: process.env.SECRETS_MANAGER_FUNCTION_ARN,
  AUTH_TOKEN: process.env.AUTH_TOKEN,
});

// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]; Greengrass's own functions leave region and account empty
const FULL_ARN = /^arn:([^:]*):lambda:([^:]*):([^:]*):function:([^:]+)(?::([^:]+))?$/;
// lambdalet also takes a bare name, as its Invoke does
const BARE_NAME = /^([A-Za-z0-9_-]{1,64})(?::(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

/** A function ARN split into its parts: `qualifier` is undefined when the ARN carries none. */
class FunctionArnFields {
  constructor(functionArn) {
    const text = String(functionArn);
    const full = FULL_ARN.exec(text);
    if (full) {
      const [, partition, region, accountId, name, qualifier] = full;
      Object.assign(this, { arn: text, partition, region, accountId, name, qualifier });
      this.unqualifiedArn = `arn:${partition}:lambda:${region}:${accountId}:function:${name}`;
      return;
    }
    const bare = BARE_NAME.exec(text);
    if (!bare) {
      throw new Error(
        `'${text}' is not a function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]) or a function name`,
      );
    }
    Object.assign(this, { arn: text, name: bare[1], qualifier: bare[2] });
    this.unqualifiedArn = bare[1];
  }
}

/** The ARN of `unqualifiedArn` at `qualifier` (a version or alias), or the unqualified ARN when there is none. */
function buildFunctionArn(unqualifiedArn, qualifier) {
  return qualifier ? `${unqualifiedArn}:${qualifier}` : unqualifiedArn;
}

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/**
 * The SDK's logger. Greengrass sent these lines to its local log files; here they go to the worker's output, which
 * the agent tags and keeps like every other line. Debug lines are dropped unless GG_LOG_LEVEL is DEBUG.
 */
class LocalWatchLogger {
  constructor() {
    const wanted = LEVELS.indexOf(String(process.env.GG_LOG_LEVEL || "INFO").toUpperCase());
    this.threshold = wanted === -1 ? 1 : wanted;
  }

  write(level, parts) {
    if (LEVELS.indexOf(level) < this.threshold) return;
    const line = `[${level}] ${
      parts.map((part) => (typeof part === "string" ? part : String(part))).join(" ")
    }`;
    if (level === "DEBUG" || level === "INFO") console.log(line);
    else console.error(line);
  }

  debug(...parts) {
    this.write("DEBUG", parts);
  }

  info(...parts) {
    this.write("INFO", parts);
  }

  warn(...parts) {
    this.write("WARN", parts);
  }

  error(...parts) {
    this.write("ERROR", parts);
  }

  fatal(...parts) {
    this.write("FATAL", parts);
  }
}

module.exports = { envVars, FunctionArnFields, buildFunctionArn, logging: { LocalWatchLogger } };
