/** @module Who may call the agent: API keys, SigV4 verification, the credentials file, workers' temporary keys. */
export {
  type ClientCredentials,
  CREDENTIALS_FILE,
  readCredentialsFile,
  writeCredentialsFile,
} from "./credentials-file.ts";
export { parseIni, replaceIniSection } from "./ini.ts";
export {
  DEFAULT_KEY_DESCRIPTION,
  Keyring,
  type NewKeyOptions,
  type Principal,
  type SessionCredentials,
  type SessionPublisher,
  type SigningKey,
} from "./keyring.ts";
export { presignUrl, type RequestToSign, signRequest } from "./sign-request.ts";
export { MAX_CLOCK_SKEW_MS, SIGNING_SERVICE, type VerifiedRequest, verifySignature } from "./signature.ts";
export { mayInvoke, mayReadMetrics } from "./permissions.ts";
