/** @module The route table of the Lambda-compatible API. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_SYNC_PAYLOAD_BYTES } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { createFunctionHandler } from "./create-function.ts";
import { renderError, unknownOperation } from "./errors.ts";
import { invokeHandler } from "./invoke.ts";

/** Builds the API app over the agent's parts. */
export function createApi(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.use(async (c, next) => {
    const requestId = crypto.randomUUID();
    c.set("requestId", requestId);
    await next();
    c.header("x-amzn-RequestId", requestId);
  });
  app.post("/2015-03-31/functions", createFunctionHandler(deps));
  app.post(
    "/2015-03-31/functions/:name/invocations",
    bodyLimit({
      maxSize: MAX_SYNC_PAYLOAD_BYTES,
      onError: () => {
        throw new LambdaError(
          "RequestTooLargeException",
          `Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
        );
      },
    }),
    invokeHandler(deps),
  );
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.notFound(unknownOperation);
  app.onError(renderError);
  return app;
}
