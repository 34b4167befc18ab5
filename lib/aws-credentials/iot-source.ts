/** @module AWS IoT's credentials provider: the device certificate buys a role alias's temporary credentials (mutual TLS). */
import { readFile } from "node:fs/promises";
import * as v from "valibot";
import { type IotTokenExchange, issuePath } from "../config/mod.ts";
import { type AwsCredentials, type CredentialSource, CredentialSourceError } from "./credentials.ts";

/** How long one request to the provider may take. */
const REQUEST_TIMEOUT_MS = 10_000;
/** How much of an error answer is quoted in messages. */
const QUOTED_ERROR_CHARS = 200;

/** The provider's answer, as documented for `GET /role-aliases/<alias>/credentials`; other members are ignored. */
const ProviderAnswerSchema = v.object({
  credentials: v.object({
    accessKeyId: v.pipe(v.string(), v.minLength(1)),
    secretAccessKey: v.pipe(v.string(), v.minLength(1)),
    sessionToken: v.pipe(v.string(), v.minLength(1)),
    expiration: v.pipe(v.string(), v.check((text) => !Number.isNaN(Date.parse(text)), "must be a date")),
  }),
});

/** Options of {@linkcode iotCredentialsSource}. */
export interface IotCredentialsSourceOptions {
  /** The HTTP client (tests pass their own). @default globalThis.fetch */
  fetch?: typeof fetch;
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new CredentialSourceError(
      `Cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
}

/**
 * The IoT credentials provider at `options.iotCredEndpoint`, as Greengrass's TokenExchangeService calls it: the
 * certificate and key are read at each fetch (a renewed certificate is used without a restart).
 */
export function iotCredentialsSource(
  options: IotTokenExchange,
  sourceOptions: IotCredentialsSourceOptions = {},
): CredentialSource {
  const request = sourceOptions.fetch ?? fetch;
  const url = `https://${options.iotCredEndpoint}/role-aliases/${
    encodeURIComponent(options.iotRoleAlias)
  }/credentials`;
  const description =
    `the IoT credentials provider ${options.iotCredEndpoint} (role alias ${options.iotRoleAlias})`;
  return {
    description,
    async fetch(): Promise<AwsCredentials> {
      const tls = {
        cert: await readPem(options.certificateFilePath, "device certificate"),
        key: await readPem(options.privateKeyFilePath, "device private key"),
        ...(options.rootCaPath ? { ca: await readPem(options.rootCaPath, "root CA") } : {}),
      };
      let response: Response;
      try {
        response = await request(url, {
          headers: { "x-amzn-iot-thingname": options.thingName, accept: "application/json" },
          tls,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        throw new CredentialSourceError(
          `Cannot reach ${description}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      const text = await response.text();
      if (response.status !== 200) {
        // an error answer holds no credentials: quoting its start helps (an unknown alias, a certificate refused)
        throw new CredentialSourceError(
          `${description} answered ${response.status}: ${text.slice(0, QUOTED_ERROR_CHARS)}`,
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new CredentialSourceError(`${description} answered 200 with a body that is not JSON`);
      }
      const parsed = v.safeParse(ProviderAnswerSchema, json);
      if (!parsed.success) {
        // never the body: it may hold a secret
        const member = issuePath(parsed.issues[0]) || "the answer";
        throw new CredentialSourceError(
          `${description} answered 200 without usable credentials: '${member}' ${parsed.issues[0].message}`,
        );
      }
      const { credentials } = parsed.output;
      return {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
        expiration: new Date(credentials.expiration),
      };
    },
  };
}
