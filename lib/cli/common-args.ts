/** @module Arguments every client command takes. */

/** `--endpoint-url`, as in the AWS CLI. */
export const endpointArg = {
  "endpoint-url": {
    type: "string",
    description:
      "The agent's URL (default: $AWS_ENDPOINT_URL_LAMBDA, $AWS_ENDPOINT_URL or http://127.0.0.1:9001)",
  },
} as const;
