/** @module The event an API Gateway REST route request becomes: the Lambda proxy integration's payload format 1.0. */
import { isTextContent, requestTime } from "./url-event.ts";

/** The stage every route is served as (`requestContext.stage`, and the first segment of `requestContext.path`). */
export const REST_STAGE = "local";

/** What the event is built from besides the request itself. */
export interface RestEventContext {
  /** The route's resource path template (`resource`, `requestContext.resourcePath`), such as `/items/{id}`. */
  resource: string;
  /** The request path below the prefix, still percent-encoded, such as `/items/42`. */
  path: string;
  /** The route's parameters, percent-decoded; null when it has none. */
  pathParameters: Record<string, string> | null;
  /** The id of the API (`requestContext.apiId`). */
  apiId: string;
  /** The id of the route's resource (`requestContext.resourceId`). */
  resourceId: string;
  /** The account id of the function. */
  accountId: string;
  /** The host name the request was sent to, without the port. */
  domainName: string;
  /** The address of the caller. */
  sourceIp: string;
  /** The id of this invocation. */
  requestId: string;
  /** The access key id of a signed (`AWS_IAM`) request; null for `NONE`. */
  accessKey: string | null;
  /** When the request arrived (ms since the epoch). */
  now: number;
}

/** Each name's values in order (`multi…`) and its last value (the single-valued member), or nulls when there are none. */
function singleAndMulti(
  entries: Iterable<[string, string]>,
): [Record<string, string> | null, Record<string, string[]> | null] {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of entries) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return Object.keys(single).length ? [single, multi] : [null, null];
}

/**
 * Builds the REST proxy event (as `sam local start-api` and API Gateway's Lambda proxy integration send it) of a
 * request whose body has been read as `body`: `headers` and `queryStringParameters` hold each name's last value,
 * their `multiValue…` twins every value (header names lower-case; a header sent on several lines arrives as one
 * comma-joined value, as the HTTP server hands it on); a body that is not text is base64 with `isBase64Encoded: true`.
 */
export function restEvent(
  request: Request,
  body: Uint8Array,
  context: RestEventContext,
): Record<string, unknown> {
  const url = new URL(request.url);
  const [headers, multiValueHeaders] = singleAndMulti(request.headers);
  const [query, multiQuery] = singleAndMulti(url.searchParams);
  const text = isTextContent(request.headers.get("content-type"));
  return {
    resource: context.resource,
    path: context.path,
    httpMethod: request.method,
    headers: headers ?? {},
    multiValueHeaders: multiValueHeaders ?? {},
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: context.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      domainName: context.domainName,
      extendedRequestId: context.requestId,
      httpMethod: request.method,
      identity: {
        accessKey: context.accessKey,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: context.sourceIp,
        user: null,
        userAgent: request.headers.get("user-agent"),
        userArn: null,
      },
      path: `/${REST_STAGE}${context.path}`,
      protocol: "HTTP/1.1",
      requestId: context.requestId,
      requestTime: requestTime(context.now),
      requestTimeEpoch: context.now,
      resourceId: context.resourceId,
      resourcePath: context.resource,
      stage: REST_STAGE,
    },
    body: body.byteLength
      ? (text ? new TextDecoder().decode(body) : Buffer.from(body).toString("base64"))
      : null,
    isBase64Encoded: body.byteLength > 0 && !text,
  };
}
