/** @module AWS credentials for functions, as Greengrass's token exchange service gives them: sources, cache, worker tokens. */
import type { TokenExchangeOptions } from "../config/mod.ts";
import type { CredentialSource } from "./credentials.ts";
import { iotCredentialsSource } from "./iot-source.ts";
import { profileSource, staticSource } from "./static-source.ts";

export { CredentialCache, type CredentialCacheOptions, type ServedCredentials } from "./cache.ts";
export { type AwsCredentials, type CredentialSource, CredentialSourceError } from "./credentials.ts";
export { iotCredentialsSource, type IotCredentialsSourceOptions } from "./iot-source.ts";
export {
  AwsCredentialService,
  type AwsCredentialServiceOptions,
  type AwsCredentialsGrant,
} from "./service.ts";
export { profileSource, staticSource } from "./static-source.ts";
export { WorkerTokens } from "./worker-tokens.ts";

/** The source the agent config's `tokenExchange` describes. */
export function createCredentialSource(options: TokenExchangeOptions): CredentialSource {
  switch (options.source) {
    case "static":
      return staticSource(options);
    case "profile":
      return profileSource(options);
    case "iot":
      return iotCredentialsSource(options);
  }
}
