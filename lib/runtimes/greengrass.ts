/** @module The Greengrass v1 IPC modules workers find (for the Core SDKs), the names they read and the agent's door for them. */
import commonJs from "../../runtimes/nodejs/greengrass/aws-greengrass-common-js.cjs" with { type: "text" };
import ipcJs from "../../runtimes/nodejs/greengrass/aws-greengrass-ipc-sdk-js.cjs" with { type: "text" };
import commonPy from "../../runtimes/python/greengrass_common/__init__.py" with { type: "text" };
import envVarsPy from "../../runtimes/python/greengrass_common/env_vars.py" with { type: "text" };
import arnFieldsPy from "../../runtimes/python/greengrass_common/function_arn_fields.py" with {
  type: "text",
};
import ipcPy from "../../runtimes/python/greengrass_ipc_python_sdk/__init__.py" with { type: "text" };
import ipcClientPy from "../../runtimes/python/greengrass_ipc_python_sdk/ipc_client.py" with { type: "text" };

/**
 * Greengrass's own functions, as the Core SDKs post work to them: the router (a publish), the local shadow service
 * and the secrets manager. Region and account are empty, as on a Greengrass core.
 */
export const GREENGRASS_FUNCTIONS = {
  router: "arn:aws:lambda:::function:GGRouter",
  shadow: "arn:aws:lambda:::function:GGShadowService",
  secrets: "arn:aws:lambda:::function:GGSecretManager",
} as const;

/** Where the IPC door is on the API port: the modules post work to `<prefix>/functions/{arn}/invocations`. */
export const IPC_PATH_PREFIX = "/lambdalet/v1/ipc";

/**
 * The folder under the runtimes folder that holds the Node.js modules; it ends workers' NODE_PATH. Not named
 * `node_modules`: the bootstrap's ESM resolve hook (a loader thread, several MB a worker) is only for such folders,
 * and these CommonJS modules are found by `require` through NODE_PATH alone.
 */
export const GREENGRASS_NODE_MODULES = "nodejs/greengrass";

/**
 * The Greengrass variables of every nodejs and python worker: its own ARN (with its version, as Greengrass named
 * functions) and the ARNs of Greengrass's functions. `AUTH_TOKEN` and the door's URL come with the worker's grant.
 */
export function greengrassEnvironment(functionArn: string, version: string): Record<string, string> {
  return {
    MY_FUNCTION_ARN: `${functionArn}:${version}`,
    ROUTER_FUNCTION_ARN: GREENGRASS_FUNCTIONS.router,
    SHADOW_FUNCTION_ARN: GREENGRASS_FUNCTIONS.shadow,
    SECRETS_MANAGER_FUNCTION_ARN: GREENGRASS_FUNCTIONS.secrets,
  };
}

/** A CommonJS package of one file, whatever `type` a package.json above the runtimes folder may declare. */
function packageJson(name: string): string {
  return `${JSON.stringify({ name, version: "1.0.0", type: "commonjs", main: "index.js" }, null, 2)}\n`;
}

/**
 * The modules by their path under the runtimes folder: the Node.js ones under `nodejs/greengrass` (found by
 * NODE_PATH), the Python ones beside the bootstrap (the script's folder is on `sys.path`, after the task root).
 */
export const GREENGRASS_RUNTIME_FILES: Readonly<Record<string, string>> = {
  [`${GREENGRASS_NODE_MODULES}/aws-greengrass-common-js/index.js`]: commonJs,
  [`${GREENGRASS_NODE_MODULES}/aws-greengrass-common-js/package.json`]: packageJson(
    "aws-greengrass-common-js",
  ),
  [`${GREENGRASS_NODE_MODULES}/aws-greengrass-ipc-sdk-js/index.js`]: ipcJs,
  [`${GREENGRASS_NODE_MODULES}/aws-greengrass-ipc-sdk-js/package.json`]: packageJson(
    "aws-greengrass-ipc-sdk-js",
  ),
  "python/greengrass_common/__init__.py": commonPy,
  "python/greengrass_common/env_vars.py": envVarsPy,
  "python/greengrass_common/function_arn_fields.py": arnFieldsPy,
  "python/greengrass_ipc_python_sdk/__init__.py": ipcPy,
  "python/greengrass_ipc_python_sdk/ipc_client.py": ipcClientPy,
};
