/** @module The event a function URL request becomes: API Gateway's payload format 2.0, as Lambda builds it. */

/** Who signed an `AWS_IAM` request, as `requestContext.authorizer.iam` tells the function. */
export interface IamCaller {
  /** The access key id the request was signed with. */
  accessKey: string;
  /** The account id named in ARNs. */
  accountId: string;
}

/** What the event is built from besides the request itself. */
export interface UrlEventContext {
  /** The url id (`apiId`, `domainPrefix`). */
  urlId: string;
  /** The host name the URL was called by. */
  domainName: string;
  /** The path the function sees. */
  rawPath: string;
  /** The account id of the function. */
  accountId: string;
  /** The address of the caller. */
  sourceIp: string;
  /** The id of this invocation. */
  requestId: string;
  /** The caller of an `AWS_IAM` URL; null for `NONE`. */
  caller: IamCaller | null;
  /** When the request arrived (ms since the epoch). */
  now: number;
}

const TEXT_TYPES = [
  /^text\//,
  /^application\/(.+\+)?json$/,
  /^application\/(.+\+)?xml$/,
  /^application\/(javascript|ecmascript|x-javascript|yaml|x-yaml|graphql)$/,
];

/** Whether a body of `contentType` reaches the function as text (else base64, `isBase64Encoded: true`). */
export function isTextContent(contentType: string | null): boolean {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return TEXT_TYPES.some((pattern) => pattern.test(type));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `12/Mar/2020:19:03:58 +0000`, the request time's format. */
export function requestTime(ms: number): string {
  const date = new Date(ms);
  const two = (value: number) => String(value).padStart(2, "0");
  return `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${
    two(date.getUTCHours())
  }:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** Query parameters with repeated names comma-joined, or undefined when there are none. */
function queryParameters(search: URLSearchParams): Record<string, string> | undefined {
  const joined: Record<string, string> = {};
  for (const [name, value] of search) joined[name] = name in joined ? `${joined[name]},${value}` : value;
  return Object.keys(joined).length ? joined : undefined;
}

/** Builds the payload format 2.0 event of a request whose body has been read as `body`. */
export function urlEvent(
  request: Request,
  body: Uint8Array,
  context: UrlEventContext,
): Record<string, unknown> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of request.headers) {
    if (name === "cookie") cookies = value.split(/;\s*/).filter((cookie) => cookie !== "");
    else headers[name] = value;
  }
  const text = isTextContent(request.headers.get("content-type"));
  const query = queryParameters(url.searchParams);
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: context.rawPath,
    rawQueryString: url.search.replace(/^\?/, ""),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: context.accountId,
      apiId: context.urlId,
      authentication: null,
      authorizer: context.caller
        ? {
          iam: {
            accessKey: context.caller.accessKey,
            accountId: context.caller.accountId,
            callerId: context.caller.accessKey,
            cognitoIdentity: null,
            principalOrgId: null,
            userArn: `arn:aws:iam::${context.caller.accountId}:user/${context.caller.accessKey}`,
            userId: context.caller.accessKey,
          },
        }
        : null,
      domainName: context.domainName,
      domainPrefix: context.urlId,
      http: {
        method: request.method,
        path: context.rawPath,
        protocol: "HTTP/1.1",
        sourceIp: context.sourceIp,
        userAgent: request.headers.get("user-agent") ?? "",
      },
      requestId: context.requestId,
      routeKey: "$default",
      stage: "$default",
      time: requestTime(context.now),
      timeEpoch: context.now,
    },
    ...(body.byteLength
      ? {
        body: text ? new TextDecoder().decode(body) : Buffer.from(body).toString("base64"),
        isBase64Encoded: !text,
      }
      : { isBase64Encoded: false }),
  };
}
