/** @module `lambdalet doctor`: checks every requirement of the agent on this host, each with its fix. */
import { accessSync, constants, mkdirSync, readFileSync } from "node:fs";
import { defineCommand } from "citty";
import {
  AgentOptionsError,
  defaultDataDir,
  defaultInterpreterMap,
  loadAgentOptions,
  RUNTIME_FAMILIES,
  versionedPrograms,
} from "../config/mod.ts";
import {
  ADD_SDK_COMMAND,
  describeSdkPack,
  findInterpreter,
  nodeSdkDir,
  readSdkManifest,
  resolveRuntimes,
  type RuntimeResolution,
} from "../runtimes/mod.ts";
import { detectHostCapabilities, missingForContainers, type Requirement } from "../sandbox/mod.ts";
import { CliError, exitOnCliError } from "./client.ts";

function readFlagFile(flag: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new CliError(
      `Cannot read --${flag} ${path}: ${error instanceof Error ? error.message : error}`,
      252,
    );
  }
}

async function runtimeRequirements(programs: Record<string, string>): Promise<Requirement[]> {
  const byProgram = new Map<string, string[]>();
  for (const [runtime, program] of Object.entries(programs)) {
    byProgram.set(program, [...(byProgram.get(program) ?? []), runtime]);
  }
  const checks = await Promise.all([...byProgram].map(async ([program, runtimes]) => {
    const family = RUNTIME_FAMILIES[runtimes[0]!]!;
    const found = await findInterpreter(family, program);
    return {
      name: `runtime ${program}`,
      ok: found !== null,
      detail: found
        ? `${found.path} ${found.version} (for ${runtimes.join(", ")})`
        : `not found (needed by ${runtimes.join(", ")})`,
      ...(found
        ? {}
        : { fix: `install ${program}, or map these runtimes to another interpreter in the agent config` }),
    };
  }));
  return [
    ...checks,
    { name: "runtime bun1.x", ok: true, detail: "run by this binary" },
    { name: "runtime provided", ok: true, detail: "the function's own bootstrap" },
  ];
}

/** One line per runtime id: the interpreter and version it resolves to, and whether that is the version it asks for. */
async function runtimeVersionRequirements(
  explicit: Record<string, string>,
  strict: boolean,
): Promise<Requirement[]> {
  return [...(await resolveRuntimes(explicit)).values()].map((item: RuntimeResolution) => {
    const found = item.interpreter;
    const name = `runtime ${item.runtime}`;
    if (!found) {
      return {
        name,
        ok: false,
        detail: `no interpreter (looked for ${item.program})`,
        fix:
          `install ${item.program}, or map ${item.runtime} to an interpreter in the agent config's "runtimes"`,
      };
    }
    const match = item.matches ? "matches" : `does NOT match ${item.wanted}`;
    const how = item.source === "config"
      ? "mapped in the agent config"
      : item.source === "nearest"
      ? `the nearest version: ${strict ? "refused (strictRuntimeVersions)" : "runs with a warning"}`
      : "found by version";
    return {
      name,
      ok: item.matches || item.source === "config" || !strict,
      detail: `${found.path} ${found.version} (${item.program}), ${match}, ${how}`,
      ...(item.source === "nearest"
        ? {
          fix: `install ${
            versionedPrograms(item.runtime).join(" or ")
          } on PATH, or map ${item.runtime} to an interpreter of version ${item.wanted} in the agent config's "runtimes"`,
        }
        : {}),
    };
  });
}

function dataDirRequirement(dataDir: string): Requirement {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o711 });
    accessSync(dataDir, constants.W_OK);
    return { name: "data dir", ok: true, detail: `${dataDir} is writable` };
  } catch (error) {
    return {
      name: "data dir",
      ok: false,
      detail: `${dataDir}: ${error instanceof Error ? error.message : error}`,
      fix: "pass --data-dir to a folder the agent can write, or run as root",
    };
  }
}

/** The Node.js SDK pack: optional (functions may bundle the SDK), so reported as ok either way, with its command when absent. */
function sdkPackRequirement(packDir: string): Requirement {
  const installed = readSdkManifest(packDir) !== null;
  return {
    name: "runtime sdk nodejs",
    ok: true,
    detail: describeSdkPack(packDir),
    ...(installed ? {} : { fix: ADD_SDK_COMMAND }),
  };
}

function portRequirement(host: string, port: number): Requirement {
  try {
    const server = Bun.listen({ hostname: host, port, socket: { data() {} } });
    server.stop(true);
    return { name: "port", ok: true, detail: `${host}:${port} is free` };
  } catch (error) {
    return {
      name: "port",
      ok: false,
      detail: `${host}:${port}: ${error instanceof Error ? error.message : error}`,
      fix: "stop what listens there (another lambdalet?) or pass --port",
    };
  }
}

/** The doctor command. */
export const doctorCommand = defineCommand({
  meta: {
    name: "doctor",
    description: "Check what this host offers: isolation, cgroups, runtimes, data dir, port",
  },
  args: {
    config: { type: "string", description: "Agent config file, as for serve" },
    "data-dir": { type: "string", description: "The data dir to check" },
    port: { type: "string", description: "The port to check (default 9001)" },
    output: { type: "string", description: "text (default) or json" },
    mountinfo: { type: "string", description: "Examine this mountinfo text instead of /proc/self/mountinfo" },
    "proc-cgroup": { type: "string", description: "Examine this cgroup text instead of /proc/self/cgroup" },
  },
  run: exitOnCliError(async ({ args }) => {
    let options;
    try {
      options = loadAgentOptions(args.config, { dataDir: args["data-dir"], port: args.port });
    } catch (error) {
      if (error instanceof AgentOptionsError) throw new CliError(error.message, 252);
      throw error;
    }
    const mountinfo = readFlagFile("mountinfo", args.mountinfo);
    const procCgroup = readFlagFile("proc-cgroup", args["proc-cgroup"]);
    const capabilities = detectHostCapabilities({
      ...(mountinfo === undefined ? {} : { mountinfo }),
      ...(procCgroup === undefined ? {} : { procCgroup }),
      setUpCgroups: false,
    });
    const requirements: Requirement[] = [
      { name: "kernel", ok: true, detail: `Linux ${capabilities.kernel} (${process.arch})` },
      ...capabilities.requirements.filter((item) => item.name !== "worker cgroups"),
      ...(await runtimeRequirements({ ...defaultInterpreterMap(), ...options.interpreters })),
      ...await runtimeVersionRequirements(options.interpreters, options.strictRuntimeVersions),
      sdkPackRequirement(nodeSdkDir(options.dataDir ?? defaultDataDir())),
      dataDirRequirement(options.dataDir ?? defaultDataDir()),
      portRequirement(options.host, options.port),
    ];
    const containers = missingForContainers({
      ...capabilities,
      requirements: capabilities.requirements.filter((item) => item.name !== "worker cgroups"),
    });
    if (args.output === "json") {
      console.log(JSON.stringify({ containerMode: containers.length === 0, requirements }, null, 2));
    } else {
      for (const item of requirements) {
        console.log(
          `${item.ok ? "ok     " : "missing"} ${item.name}: ${item.detail}${
            item.fix ? `\n        fix: ${item.fix}` : ""
          }`,
        );
      }
      console.log(
        containers.length === 0
          ? "\nGreengrassContainer mode can work on this host."
          : `\nGreengrassContainer mode cannot work on this host (missing: ${
            containers.map((item) => item.name).join(", ")
          }).`,
      );
    }
    if (containers.length) process.exit(1);
  }),
});
