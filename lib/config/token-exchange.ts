/** @module The agent's `tokenExchange` setting: where functions' AWS credentials come from, in Greengrass's names. */
import { homedir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { formatIssues, issuePath } from "./validation-issues.ts";

/** A fixed key pair written in the agent config. */
export interface StaticTokenExchange {
  source: "static";
  accessKeyId: string;
  secretAccessKey: string;
  /** The session token of temporary keys. @default null */
  sessionToken: string | null;
}

/** A profile of an AWS shared credentials file, read again at each refresh (so a rotated file is picked up). */
export interface ProfileTokenExchange {
  source: "profile";
  /** The profile's section name. */
  profile: string;
  /** The file. @default `$AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials` of the agent's user */
  credentialsFile: string;
}

/**
 * AWS IoT's credentials provider, as Greengrass's `aws.greengrass.TokenExchangeService` uses it: the device's
 * certificate buys temporary credentials of the role that `iotRoleAlias` names.
 */
export interface IotTokenExchange {
  source: "iot";
  /** The account's credentials endpoint (`<prefix>.credentials.iot.<region>.amazonaws.com`), optionally with `:port`. */
  iotCredEndpoint: string;
  /** The role alias. */
  iotRoleAlias: string;
  /** The thing the certificate is attached to (`x-amzn-iot-thingname`). */
  thingName: string;
  /** The device certificate (PEM). */
  certificateFilePath: string;
  /** Its private key (PEM). */
  privateKeyFilePath: string;
  /** The CA the endpoint's certificate must chain to (PEM). @default null (the system's CAs) */
  rootCaPath: string | null;
}

/** Where functions' AWS credentials come from. */
export type TokenExchangeOptions = StaticTokenExchange | ProfileTokenExchange | IotTokenExchange;

/** The members whose values an error may show; others (secrets, unknown members, the whole object) are hidden. */
const SHOWN_MEMBERS = new Set([
  "accessKeyId",
  "profile",
  "credentialsFile",
  "iotCredEndpoint",
  "iotRoleAlias",
  "thingName",
  "certificateFilePath",
  "privateKeyFilePath",
  "rootCaPath",
]);

const AbsoluteFile = v.pipe(v.string(), v.regex(/^\/.*[^/]$/, "must be an absolute file path"));

const TokenExchangeSchema = v.strictObject({
  accessKeyId: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Z0-9]{16,128}$/, "must be an access key id such as AKIAIOSFODNN7EXAMPLE"),
    ),
  ),
  secretAccessKey: v.optional(
    v.pipe(v.string(), v.regex(/^\S{16,}$/, "must be a secret of 16 or more characters")),
  ),
  sessionToken: v.optional(v.pipe(v.string(), v.regex(/^\S+$/, "must be a token with no spaces"))),
  profile: v.optional(
    v.pipe(v.string(), v.regex(/^[^\s[\]]{1,64}$/, "must be a profile name (no spaces or brackets)")),
  ),
  credentialsFile: v.optional(AbsoluteFile),
  iotCredEndpoint: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/,
        "must be a host name such as c2ab3cd4.credentials.iot.us-east-1.amazonaws.com, no scheme or path",
      ),
    ),
  ),
  iotRoleAlias: v.optional(v.pipe(v.string(), v.regex(/^[\w=,@-]{1,128}$/, "must be a role alias name"))),
  thingName: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9:_-]{1,128}$/, "must be a thing name"))),
  certificateFilePath: v.optional(AbsoluteFile),
  privateKeyFilePath: v.optional(AbsoluteFile),
  rootCaPath: v.optional(AbsoluteFile),
}, (issue) => issue.expected === "never" ? "is not a member of tokenExchange" : "must be an object");

type TokenExchangeInput = v.InferOutput<typeof TokenExchangeSchema>;

const IOT_MEMBERS = [
  "iotCredEndpoint",
  "iotRoleAlias",
  "thingName",
  "certificateFilePath",
  "privateKeyFilePath",
];
const SOURCES_HINT =
  "accessKeyId and secretAccessKey (sessionToken optional); or profile (credentialsFile optional); or iotCredEndpoint, iotRoleAlias, thingName, certificateFilePath and privateKeyFilePath (rootCaPath optional)";

/** The outcome of {@linkcode parseTokenExchange}: the options, or why they cannot be used (never quoting a secret). */
export type TokenExchangeParse = { ok: true; options: TokenExchangeOptions } | { ok: false; message: string };

function defaultCredentialsFile(): string {
  return process.env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), ".aws", "credentials");
}

/** Which members of each source `input` has. */
function present(input: TokenExchangeInput, members: readonly string[]): string[] {
  return members.filter((member) => input[member as keyof TokenExchangeInput] !== undefined);
}

/** Picks the one source `input` describes, or says what is missing or mixed. */
function pickSource(input: TokenExchangeInput): TokenExchangeParse {
  const kinds = [
    present(input, ["accessKeyId", "secretAccessKey", "sessionToken"]).length > 0 ? "a key pair" : null,
    present(input, ["profile", "credentialsFile"]).length > 0 ? "a profile" : null,
    present(input, [...IOT_MEMBERS, "rootCaPath"]).length > 0 ? "the IoT credentials provider" : null,
  ].filter((kind) => kind !== null);
  if (kinds.length !== 1) {
    const found = kinds.length === 0 ? "none" : kinds.join(" and ");
    return {
      ok: false,
      message: `'tokenExchange' must name exactly one source (${SOURCES_HINT}): found ${found}`,
    };
  }
  if (kinds[0] === "a key pair") {
    if (input.accessKeyId === undefined || input.secretAccessKey === undefined) {
      return { ok: false, message: "'tokenExchange' needs both 'accessKeyId' and 'secretAccessKey'" };
    }
    return {
      ok: true,
      options: {
        source: "static",
        accessKeyId: input.accessKeyId,
        secretAccessKey: input.secretAccessKey,
        sessionToken: input.sessionToken ?? null,
      },
    };
  }
  if (kinds[0] === "a profile") {
    if (input.profile === undefined) {
      return { ok: false, message: "'tokenExchange' needs 'profile' with 'credentialsFile'" };
    }
    return {
      ok: true,
      options: {
        source: "profile",
        profile: input.profile,
        credentialsFile: input.credentialsFile ?? defaultCredentialsFile(),
      },
    };
  }
  const missing = IOT_MEMBERS.filter((member) => !present(input, IOT_MEMBERS).includes(member));
  if (missing.length > 0) {
    return {
      ok: false,
      message: `'tokenExchange' names the IoT credentials provider but lacks ${
        missing.map((m) => `'${m}'`).join(", ")
      }`,
    };
  }
  return {
    ok: true,
    options: {
      source: "iot",
      iotCredEndpoint: input.iotCredEndpoint!,
      iotRoleAlias: input.iotRoleAlias!,
      thingName: input.thingName!,
      certificateFilePath: input.certificateFilePath!,
      privateKeyFilePath: input.privateKeyFilePath!,
      rootCaPath: input.rootCaPath ?? null,
    },
  };
}

/**
 * Validates the `tokenExchange` member of the agent config. Messages name the bad member as other settings do,
 * but never show the value of `secretAccessKey`, `sessionToken` or a member they do not know.
 */
export function parseTokenExchange(raw: unknown): TokenExchangeParse {
  const result = v.safeParse(TokenExchangeSchema, raw);
  if (!result.success) {
    const issue = result.issues[0];
    const member = issuePath(issue);
    const hidden = !SHOWN_MEMBERS.has(member) || issue.type === "strict_object";
    const message = formatIssues(result.issues, {
      style: "setting",
      subject: "tokenExchange",
      ...(hidden ? { value: "(hidden)" } : {}),
    });
    return { ok: false, message: member ? `'tokenExchange.${message.slice(1)}` : message };
  }
  return pickSource(result.output);
}
