/** @module `lambdalet fleet server-config`: a sample nats-server config, or the hub's entry for one device. */
import { defineCommand } from "citty";
import * as v from "valibot";
import { renderDeviceUser, renderServerConfig } from "../fleet/server-config.ts";
import { CliError } from "./cli-error.ts";
import { listFlag, parseFleetName } from "./fleet-args.ts";
import { fleetRun } from "./fleet-run.ts";
import { parseFlag } from "./flags.ts";

/** Every value of a flag given several times (citty keeps the last one only); undefined when not given. */
function repeated(rawArgs: readonly string[], flag: string): string[] | undefined {
  const values: string[] = [];
  rawArgs.forEach((arg, index) => {
    if (arg === `--${flag}` && rawArgs[index + 1] !== undefined) values.push(rawArgs[index + 1]!);
    else if (arg.startsWith(`--${flag}=`)) values.push(arg.slice(flag.length + 3));
  });
  return values.length ? values : undefined;
}

/** `fleet server-config`. */
export const serverConfigCommand = defineCommand({
  meta: {
    name: "server-config",
    description: "Print a sample nats-server config, or with --device the hub's entry for one device",
  },
  args: {
    device: { type: "string", description: "The device" },
    group: { type: "string", description: "Its groups (repeat the flag or separate with commas)" },
    "public-nkey": {
      type: "string",
      description: "The device's nkey public key (U…, from nk -gen user -pubout)",
    },
    full: { type: "boolean", description: "With --device: the whole config holding that device" },
  },
  run: fleetRun(async ({ args, rawArgs }) => {
    const groups = listFlag(repeated(rawArgs, "group") ?? args.group).map((group) =>
      parseFleetName("group", group)
    );
    const login = args["public-nkey"] === undefined ? null : {
      nkey: parseFlag(
        v.pipe(v.string(), v.regex(/^U[A-Z2-7]{55}$/, "must be an nkey user public key (U followed by 55)")),
        "public-nkey",
        args["public-nkey"],
      ),
    };
    const deployer = { user: "deployer", password: "CHANGE-ME (a bcrypt hash from `nats server passwd`)" };
    if (args.device === undefined) {
      console.log(renderServerConfig({
        deployer,
        devices: [{ device: "pi-07", groups: groups.length ? groups : ["plant-a", "cameras"], login }],
      }));
      return await Promise.resolve();
    }
    const device = parseFleetName("device", args.device);
    if (groups.length === 0) throw new CliError("--device needs at least one --group", 252);
    const entry = { device, groups, login };
    console.log(args.full ? renderServerConfig({ deployer, devices: [entry] }) : renderDeviceUser(entry));
  }),
});
