/** @module The route table of the Lambda-compatible API. */
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_ASYNC_PAYLOAD_BYTES, MAX_SYNC_PAYLOAD_BYTES } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { accountSettingsHandler } from "./account-settings.ts";
import { authMiddleware } from "./auth.ts";
import { AWS_CREDENTIALS_PATH, awsCredentialsHandler } from "./aws-credentials.ts";
import {
  createAliasHandler,
  deleteAliasHandler,
  getAliasHandler,
  listAliasesHandler,
  updateAliasHandler,
} from "./aliases.ts";
import { deleteConcurrencyHandler, getConcurrencyHandler, putConcurrencyHandler } from "./concurrency.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { createFunctionHandler } from "./create-function.ts";
import { listDeadLettersHandler, purgeDeadLettersHandler, replayDeadLettersHandler } from "./dead-letters.ts";
import { deleteFunctionHandler } from "./delete-function.ts";
import {
  createDeploymentHandler,
  getDeploymentHandler,
  listDeploymentsHandler,
  rollbackDeploymentHandler,
} from "./deployments.ts";
import {
  deleteEventInvokeConfigHandler,
  getEventInvokeConfigHandler,
  putEventInvokeConfigHandler,
} from "./event-invoke-config.ts";
import { errorRenderer, unknownOperation } from "./errors.ts";
import {
  CODE_DOWNLOAD_PATH,
  codeDownloadHandler,
  getFunctionConfigurationHandler,
  getFunctionHandler,
} from "./get-function.ts";
import {
  createFunctionUrlHandler,
  deleteFunctionUrlHandler,
  getFunctionUrlHandler,
  listFunctionUrlsHandler,
  updateFunctionUrlHandler,
} from "./function-urls.ts";
import { functionLogsHandler } from "./function-logs.ts";
import { functionUrlMiddleware } from "./function-url-requests.ts";
import { listEventSourcesHandler, statusHandler } from "./event-sources.ts";
import { IMPORT_GREENGRASS_PATH, importGreengrassHandler } from "./import-greengrass.ts";
import { invokeHandler } from "./invoke.ts";
import { invokeFastPath } from "./invoke-fast.ts";
import { ipcMiddleware } from "./ipc.ts";
import { restRouteMiddleware } from "./rest-route-requests.ts";
import { invokeWithResponseStreamHandler } from "./invoke-stream.ts";
import { createKeyHandler, deleteKeyHandler, listKeysHandler, rotateKeyHandler } from "./keys.ts";
import { listFunctionsHandler } from "./list-functions.ts";
import {
  deleteLayerVersionHandler,
  getLayerVersionHandler,
  listLayersHandler,
  listLayerVersionsHandler,
  publishLayerVersionHandler,
} from "./layers.ts";
import { isLoopbackAddress, METRICS_PATH, metricsHandler, peerAddressOf } from "./metrics.ts";
import { DASHBOARD_PATH } from "../dashboard/mod.ts";
import {
  deleteProvisionedConcurrencyHandler,
  getProvisionedConcurrencyHandler,
  putProvisionedConcurrencyHandler,
} from "./provisioned-concurrency.ts";
import { publishHandler, tooLarge } from "./publish.ts";
import { updateFunctionCodeHandler, updateFunctionConfigurationHandler } from "./update-function.ts";
import { listVersionsHandler, publishVersionHandler } from "./versions.ts";

const FUNCTIONS = "/2015-03-31/functions";
const FUNCTION = `${FUNCTIONS}/:name`;

/** Builds the API app over the agent's parts. */
export function createApi(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>({ strict: false });
  app.use(async (c, next) => {
    const requestId = crypto.randomUUID();
    c.set("requestId", requestId);
    await next();
    c.header("x-amzn-RequestId", requestId);
  });
  // Invoke, the hot path, before the doors that never serve it (it defers to them when they might)
  app.post(`${FUNCTION}/invocations`, invokeFastPath(deps));
  // a function URL answers for itself (its own auth type, its own error format), before the API's signature check
  app.use(functionUrlMiddleware(deps));
  // so does an API Gateway route under its prefix (API Gateway's messages; AWS_IAM routes check signatures themselves)
  app.use(restRouteMiddleware(deps));
  // the Greengrass IPC door authenticates its callers by their worker's AUTH_TOKEN, not by a signature
  app.use(ipcMiddleware(deps));
  app.use(authMiddleware(deps));
  app.post(FUNCTIONS, createFunctionHandler(deps));
  app.get(FUNCTIONS, listFunctionsHandler(deps));
  app.get(FUNCTION, getFunctionHandler(deps));
  app.delete(FUNCTION, deleteFunctionHandler(deps));
  app.get(`${FUNCTION}/configuration`, getFunctionConfigurationHandler(deps));
  app.put(`${FUNCTION}/configuration`, updateFunctionConfigurationHandler(deps));
  app.put(`${FUNCTION}/code`, updateFunctionCodeHandler(deps));
  app.post(`${FUNCTION}/versions`, publishVersionHandler(deps));
  app.get(`${FUNCTION}/versions`, listVersionsHandler(deps));
  app.post(`${FUNCTION}/aliases`, createAliasHandler(deps));
  app.get(`${FUNCTION}/aliases`, listAliasesHandler(deps));
  app.get(`${FUNCTION}/aliases/:alias`, getAliasHandler(deps));
  app.put(`${FUNCTION}/aliases/:alias`, updateAliasHandler(deps));
  app.delete(`${FUNCTION}/aliases/:alias`, deleteAliasHandler(deps));
  const layerVersions = "/2018-10-31/layers/:layerName/versions";
  app.get("/2018-10-31/layers", listLayersHandler(deps));
  app.post(layerVersions, publishLayerVersionHandler(deps));
  app.get(layerVersions, listLayerVersionsHandler(deps));
  app.get(`${layerVersions}/:version`, getLayerVersionHandler(deps));
  app.delete(`${layerVersions}/:version`, deleteLayerVersionHandler(deps));
  app.post(
    `${FUNCTION}/invocations`,
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
  app.post(
    "/2021-11-15/functions/:name/response-streaming-invocations",
    bodyLimit({
      maxSize: MAX_SYNC_PAYLOAD_BYTES,
      onError: () => {
        throw new LambdaError(
          "RequestTooLargeException",
          `Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the InvokeWithResponseStream operation`,
        );
      },
    }),
    invokeWithResponseStreamHandler(deps),
  );
  app.put("/2017-10-31/functions/:name/concurrency", putConcurrencyHandler(deps));
  app.get("/2019-09-30/functions/:name/concurrency", getConcurrencyHandler(deps));
  app.delete("/2017-10-31/functions/:name/concurrency", deleteConcurrencyHandler(deps));
  const provisioned = "/2019-09-30/functions/:name/provisioned-concurrency";
  app.put(provisioned, putProvisionedConcurrencyHandler(deps));
  app.get(provisioned, getProvisionedConcurrencyHandler(deps)); // Get, or List with `?List=ALL`
  app.delete(provisioned, deleteProvisionedConcurrencyHandler(deps));
  const eventInvokeConfig = "/2019-09-25/functions/:name/event-invoke-config";
  app.put(eventInvokeConfig, putEventInvokeConfigHandler(deps));
  app.post(eventInvokeConfig, putEventInvokeConfigHandler(deps, true));
  app.get(eventInvokeConfig, getEventInvokeConfigHandler(deps));
  app.delete(eventInvokeConfig, deleteEventInvokeConfigHandler(deps));
  app.post("/lambdalet/v1/deployments", createDeploymentHandler(deps));
  app.get("/lambdalet/v1/deployments", listDeploymentsHandler(deps));
  app.post("/lambdalet/v1/deployments/rollback", rollbackDeploymentHandler(deps));
  app.get("/lambdalet/v1/deployments/:id", getDeploymentHandler(deps));
  app.post(IMPORT_GREENGRASS_PATH, importGreengrassHandler(deps));
  app.get("/lambdalet/v1/dead-letters", listDeadLettersHandler(deps));
  app.post("/lambdalet/v1/dead-letters/replay", replayDeadLettersHandler(deps));
  app.delete("/lambdalet/v1/dead-letters", purgeDeadLettersHandler(deps));
  app.post("/lambdalet/v1/keys", createKeyHandler(deps));
  app.get("/lambdalet/v1/keys", listKeysHandler(deps));
  app.post("/lambdalet/v1/keys/:id/rotate", rotateKeyHandler(deps));
  app.delete("/lambdalet/v1/keys/:id", deleteKeyHandler(deps));
  const url = "/2021-10-31/functions/:name/url";
  app.post(url, createFunctionUrlHandler(deps));
  app.get(url, getFunctionUrlHandler(deps));
  app.put(url, updateFunctionUrlHandler(deps));
  app.delete(url, deleteFunctionUrlHandler(deps));
  app.get("/2021-10-31/functions/:name/urls", listFunctionUrlsHandler(deps));
  app.get("/2016-08-19/account-settings", accountSettingsHandler(deps));
  app.post(
    "/topics/*",
    bodyLimit({
      maxSize: MAX_ASYNC_PAYLOAD_BYTES,
      onError: () => {
        throw tooLarge();
      },
    }),
    publishHandler(deps),
  );
  app.get("/status", statusHandler(deps));
  app.get("/lambdalet/v1/event-sources", listEventSourcesHandler(deps));
  if (deps.logs) {
    app.get("/lambdalet/v1/functions/:name/logs", functionLogsHandler({ ...deps, logs: deps.logs }));
  }
  app.get(`${CODE_DOWNLOAD_PATH}/:file`, codeDownloadHandler(deps));
  app.get(AWS_CREDENTIALS_PATH, awsCredentialsHandler(deps));
  if (deps.metrics) app.get(METRICS_PATH, metricsHandler({ metrics: deps.metrics }));
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  const dashboard = deps.dashboard;
  if (dashboard) {
    app.get("/", (c) => c.redirect(DASHBOARD_PATH, 302));
    // the dashboard is told whether the TCP peer is loopback (for its read-only view), from the server, never a header
    const toDashboard = (c: Context<ApiEnv>) =>
      dashboard.fetch(c.req.raw, { loopbackPeer: isLoopbackAddress(peerAddressOf(c.env, c.req.raw)) });
    app.all(DASHBOARD_PATH, toDashboard);
    app.all(`${DASHBOARD_PATH}/*`, toDashboard);
  }
  app.notFound(unknownOperation(deps));
  app.onError(errorRenderer(deps));
  return app;
}
