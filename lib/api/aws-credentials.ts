/** @module The container credentials door: a worker's token buys the agent's AWS credentials, in the SDKs' format. */
import type { Handler } from "hono";
import { type AwsCredentialService, CredentialSourceError } from "../aws-credentials/mod.ts";
import type { ApiEnv } from "./context.ts";

/** Where workers given `AWS_CONTAINER_CREDENTIALS_FULL_URI` fetch their credentials (GET, on the API port). */
export const AWS_CREDENTIALS_PATH = "/lambdalet/v1/credentials/aws";

/** An error answer as the container credential providers read it (`Code`, `Message`), never cached. */
function refusal(status: 401 | 403 | 502 | 503, code: string, message: string): Response {
  return Response.json({ Code: code, Message: message }, {
    status,
    headers: { "cache-control": "no-store" },
  });
}

/** RFC 3339 without milliseconds, as the container credentials endpoints write `Expiration`. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Serves `GET /lambdalet/v1/credentials/aws`: the `Authorization` header must carry a token the agent gave a
 * running worker (`AWS_CONTAINER_AUTHORIZATION_TOKEN`): absent is 401, unknown or revoked is 403. The answer is
 * `{AccessKeyId, SecretAccessKey, Token, Expiration}` as the AWS SDKs' container credential providers read it
 * (`Token` is empty for a key pair without a session token). SigV4 plays no part here; the token is the
 * authentication, and holding one is the authorization (only functions with `Edge.awsCredentials` get one).
 */
export function awsCredentialsHandler(
  deps: { awsCredentials?: AwsCredentialService },
): Handler<ApiEnv> {
  return async (c) => {
    const token = c.req.header("authorization");
    if (!token) {
      return refusal(
        401,
        "MissingAuthorization",
        "This door needs the worker's AWS_CONTAINER_AUTHORIZATION_TOKEN",
      );
    }
    const service = deps.awsCredentials;
    const holder = service?.holder(token) ?? null;
    if (!service || holder === null) {
      return refusal(403, "AccessDenied", "The token is not one of a running worker allowed AWS credentials");
    }
    try {
      const credentials = await service.credentials();
      return c.json(
        {
          AccessKeyId: credentials.accessKeyId,
          SecretAccessKey: credentials.secretAccessKey,
          Token: credentials.sessionToken ?? "",
          Expiration: rfc3339(credentials.expiration),
        },
        200,
        { "cache-control": "no-store" },
      );
    } catch (error) {
      if (!(error instanceof CredentialSourceError)) throw error;
      console.warn(`lambdalet: AWS credentials for ${holder} unavailable: ${error.message}`);
      return refusal(
        502,
        "CredentialsUnavailable",
        `The agent cannot get AWS credentials now: ${error.message}`,
      );
    }
  };
}
