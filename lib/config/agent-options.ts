/** @module The agent's own settings: where it listens, where it keeps state, how it names things. */
import { homedir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";

/** Settings of a running agent, after validation and defaults. */
export interface AgentOptions {
  /** Address to listen on. @default "127.0.0.1" */
  host: string;
  /** TCP port; 0 picks a free one. @default 9001 */
  port: number;
  /** Folder holding the SQLite file, code and runtimes. @default "/var/lib/lambdalet" as root, else "~/.local/share/lambdalet" */
  dataDir: string;
  /** The region named in ARNs and `AWS_REGION`. @default "us-east-1" */
  region: string;
  /** The account id named in ARNs. @default "000000000000" */
  accountId: string;
  /** Allow listening on a non-loopback address although no credentials are checked. @default false */
  allowUnauthenticated: boolean;
}

/** The data dir used when none is given: system-wide as root, per user otherwise. */
export function defaultDataDir(): string {
  if (process.getuid?.() === 0) return "/var/lib/lambdalet";
  return join(homedir(), ".local", "share", "lambdalet");
}

const PortSchema = v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number"), v.transform(Number))]),
  v.integer("must be a whole number"),
  v.minValue(0, "must be ≥ 0"),
  v.maxValue(65535, "must be ≤ 65535"),
);

/** The schema of agent options as they come from CLI flags or a config file. */
export const AgentOptionsSchema = v.object({
  host: v.optional(v.pipe(v.string(), v.minLength(1)), "127.0.0.1"),
  port: v.optional(PortSchema, 9001),
  dataDir: v.optional(v.pipe(v.string(), v.minLength(1))),
  region: v.optional(
    v.pipe(v.string(), v.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must look like us-east-1")),
    "us-east-1",
  ),
  accountId: v.optional(v.pipe(v.string(), v.regex(/^\d{12}$/, "must be 12 digits")), "000000000000"),
  allowUnauthenticated: v.optional(v.boolean(), false),
});

/** Loopback addresses the agent may listen on without credentials. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Validates raw options and applies defaults; throws an Error naming the bad option. */
export function resolveAgentOptions(raw: unknown): AgentOptions {
  const result = v.safeParse(AgentOptionsSchema, raw);
  if (!result.success) {
    const issue = result.issues[0];
    const key = issue?.path?.map((item) => String(item.key)).join(".") ?? "options";
    throw new Error(
      `Cannot start the agent as '${key}' ${issue?.message}: current value is ${
        JSON.stringify(issue?.input)
      }`,
    );
  }
  const options = { ...result.output, dataDir: result.output.dataDir ?? defaultDataDir() };
  if (!isLoopback(options.host) && !options.allowUnauthenticated) {
    throw new Error(
      `Cannot listen on '${options.host}' as the agent checks no credentials yet: listen on 127.0.0.1, or pass --allow-unauthenticated on a trusted network`,
    );
  }
  return options;
}
