/** @module What the scheduler needs to know about the function version it runs. */
import type { FunctionConfig } from "../config/mod.ts";

/** A resolved function version, ready to run. */
export interface FunctionTarget {
  /** The version's configuration. */
  config: FunctionConfig;
  /** `$LATEST` or a published version number. */
  version: string;
  /** The function's unqualified ARN. */
  functionArn: string;
  /** The folder holding the extracted code. */
  codeDir: string;
  /** The region named in the worker's environment. */
  region: string;
  /**
   * The function's own uid (its gid has the same number), from the agent's `functionUidRange`: its workers run as
   * it unless `Edge.posixUser` names another user. Unset when the agent is not root (workers run as the agent).
   */
  uid?: number;
  /** The function's reserved concurrency (PutFunctionConcurrency), when set: a cap over all its versions. */
  reservedConcurrency?: number;
}
