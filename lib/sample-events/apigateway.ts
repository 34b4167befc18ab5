/** @module API Gateway REST proxy integration: one HTTP request. */
import type { SampleEvent } from "./sample-event.ts";

/** `apigateway proxy`. */
export const apigatewayProxy: SampleEvent = {
  description: "An HTTP request through an API Gateway proxy integration",
  flags: {
    method: "HTTP method",
    path: "Request path",
    body: "Request body",
    query: "Query string (a=1&b=2)",
  },
  generate(options, context) {
    const method = (options.method ?? "GET").toUpperCase();
    const path = options.path ?? "/hello";
    const query = new URLSearchParams(options.query ?? "");
    const single = Object.fromEntries(query);
    const multi: Record<string, string[]> = {};
    for (const [key, value] of query) (multi[key] ??= []).push(value);
    const headers = {
      Accept: "application/json",
      Host: "example.execute-api.amazonaws.com",
      "User-Agent": "curl/8.5.0",
    };
    return {
      resource: "/{proxy+}",
      path,
      httpMethod: method,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]])),
      queryStringParameters: query.size ? single : null,
      multiValueQueryStringParameters: query.size ? multi : null,
      pathParameters: { proxy: path.replace(/^\//, "") },
      stageVariables: null,
      requestContext: {
        accountId: context.accountId,
        resourceId: "123456",
        stage: "prod",
        requestId: crypto.randomUUID(),
        requestTime: context.now.toUTCString(),
        requestTimeEpoch: context.now.getTime(),
        identity: { sourceIp: "198.51.100.7", userAgent: headers["User-Agent"] },
        path: `/prod${path}`,
        resourcePath: "/{proxy+}",
        httpMethod: method,
        apiId: "1234567890",
        protocol: "HTTP/1.1",
      },
      body: options.body ?? null,
      isBase64Encoded: false,
    };
  },
};
