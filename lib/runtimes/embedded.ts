/** @module The runtime bootstraps, embedded in the binary as text and written to the data dir at start. */
import nodejsBootstrap from "../../runtimes/nodejs/bootstrap.cjs" with { type: "text" };
import pythonBootstrap from "../../runtimes/python/bootstrap.py" with { type: "text" };
import { GREENGRASS_RUNTIME_FILES } from "./greengrass.ts";
import { JAVA_RUNTIME_FILES } from "./java-bootstrap.ts";

/** Each runtime file by its path under the runtimes folder. */
export const EMBEDDED_RUNTIME_FILES: Readonly<Record<string, string>> = {
  "nodejs/bootstrap.cjs": nodejsBootstrap,
  "python/bootstrap.py": pythonBootstrap,
  // the Java runtime's sources, compiled by the host's JDK at the first Java worker
  ...JAVA_RUNTIME_FILES,
  // the modules the Greengrass Core SDKs import
  ...GREENGRASS_RUNTIME_FILES,
};
