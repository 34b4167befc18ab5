/**
 * @module HTTP triggers: function URLs (payload format 2.0) and API Gateway REST routes (payload format 1.0) served on
 * the agent's port beside the API.
 */
export {
  type FunctionUrlAddresses,
  functionUrlAddresses,
  mayBeFunctionUrlHost,
  URL_PATH_PREFIX,
  urlRequestTarget,
} from "./addresses.ts";
export { type FunctionUrlDeps, type RequestInfo, serveFunctionUrl } from "./function-url-handler.ts";
export { isTextContent, urlEvent } from "./url-event.ts";
export { urlResponse } from "./url-response.ts";
export {
  missingRoute,
  pathBelowPrefix,
  type RestRouteDeps,
  type RouteRequestInfo,
  serveRestRoute,
} from "./rest-route-handler.ts";
export { REST_STAGE, restEvent } from "./rest-event.ts";
export { restResponse } from "./rest-response.ts";
export { pickRoute, RestRoutes, type RestRoutesDeps, type RouteMatch } from "./rest-routes.ts";
