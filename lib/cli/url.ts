/** @module `lambdalet url --function-name F`: prints a function URL's address, for `curl $(lambdalet url …)`. */
import { defineCommand } from "citty";
import { callApi, CliError, exitOnCliError, resolveEndpoint } from "./client.ts";
import { commonArgs } from "./common-args.ts";

/** The url command. */
export const urlCommand = defineCommand({
  meta: {
    name: "url",
    description: "Print the address of a function's URL (see create-function-url-config)",
  },
  args: {
    "function-name": { type: "string", required: true, description: "Name or ARN of the function" },
    qualifier: { type: "string", description: "An alias of the function" },
    form: {
      type: "string",
      description:
        "path: http://<agent>/url/<url-id>/ (works from any client; default), host: Lambda's host name form",
    },
    "endpoint-url": commonArgs["endpoint-url"],
  },
  run: exitOnCliError(async ({ args }) => {
    const form = args.form ?? "path";
    if (form !== "path" && form !== "host") {
      throw new CliError(`Error parsing parameter '--form': must be path or host, not '${form}'`, 252);
    }
    const query = args.qualifier ? `?Qualifier=${encodeURIComponent(args.qualifier)}` : "";
    const response = await callApi(resolveEndpoint(args["endpoint-url"]), {
      operation: "GetFunctionUrlConfig",
      method: "GET",
      path: `/2021-10-31/functions/${encodeURIComponent(args["function-name"])}/url${query}`,
    });
    const config = await response.json() as { FunctionUrl: string; EdgePathUrl: string };
    console.log(form === "host" ? config.FunctionUrl : config.EdgePathUrl);
  }),
});
