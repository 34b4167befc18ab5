/** @module The bundled demo function: the greeting handler of the seed, deployed by `serve --demo`. */
import { buildZip } from "../code/mod.ts";

/** The demo function's name. */
export const DEMO_FUNCTION_NAME = "hello";

/** The demo handler: greets the `name` and `addr` of its event, as in the seed's example. */
export const DEMO_HANDLER_SOURCE = `exports.handler = async (event) => {
  console.log("Hello => " + event.name);
  console.log("Address => " + event.addr);
  return "Hello " + event.name + " and address is " + event.addr;
};
`;

/**
 * The CreateFunction body that deploys the demo function: in a GreengrassContainer where the host can isolate
 * (with 128 MB, as Node.js needs more than the 16 MB default), else as a plain process.
 */
export function demoCreateFunctionBody(isolate = false): Record<string, unknown> {
  const zip = buildZip({ "index.js": DEMO_HANDLER_SOURCE });
  return {
    FunctionName: DEMO_FUNCTION_NAME,
    Runtime: "nodejs20.x",
    Role: "arn:aws:iam::000000000000:role/lambdalet-demo",
    Handler: "index.handler",
    Description: "The greeting function of the seed: returns 'Hello <name> and address is <addr>'",
    Timeout: 5,
    MemorySize: 128,
    // open to unsigned invoke, like a function URL with AuthType NONE, so the quick start's curl line works
    Edge: { containerMode: isolate ? "GreengrassContainer" : "NoContainer", invokeAuthType: "NONE" },
    Code: { ZipFile: Buffer.from(zip).toString("base64") },
  };
}

/** The curl line that invokes the demo function on an agent at `url`. */
export function demoCurlLine(url: string): string {
  return `curl -s -d '{"name":"Roy Singh", "addr":"Mumbai"}' ${url}/2015-03-31/functions/${DEMO_FUNCTION_NAME}/invocations`;
}
