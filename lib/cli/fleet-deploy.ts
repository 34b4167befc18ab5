/** @module `lambdalet fleet deploy`: a deployment document to a group, at once or as a rollout in steps. */
import { defineCommand } from "citty";
import * as v from "valibot";
import { DeploymentDocumentSchema } from "../config/mod.ts";
import { deployStable, openFleetStores } from "../fleet/deployer.ts";
import { RolloutController } from "../fleet/rollout.ts";
import { parsePercentage, parseRolloutSpec } from "../fleet/rollout-plan.ts";
import { DEFAULT_STALE_AFTER_MS, readStatuses, renderStatusTable } from "../fleet/status-table.ts";
import { CliError } from "./cli-error.ts";
import { readDeploymentDocument } from "./deploy.ts";
import { connectionArgs, parseDuration, parseFleetName } from "./fleet-args.ts";
import { fleetRun, messageOf, signKeyOf, withHub } from "./fleet-run.ts";
import { IntegerFlag, parseFlag } from "./flags.ts";
import { printResult } from "./output.ts";

/** `fleet deploy`. */
export const deployCommand = defineCommand({
  meta: { name: "deploy", description: "Deploy a document to a group: at once, or as a rollout in steps" },
  args: {
    file: { type: "positional", required: true, description: "The deployment document (YAML or JSON)" },
    group: { type: "string", required: true, description: "The group of devices" },
    "sign-key": { type: "string", description: "The Ed25519 private key (PEM) to sign with (fleet keygen)" },
    rollout: { type: "string", description: 'Release in steps: "10%,50%,100%" or "1,5,all"' },
    "abort-threshold": {
      type: "string",
      description: "Abort once this share of executed devices failed (20%)",
    },
    "abort-min-executed": {
      type: "string",
      description: "Executed devices needed before aborting (default 1)",
    },
    "step-timeout": {
      type: "string",
      description: "A released device not done after this fails (default 10m)",
    },
    "stale-after": { type: "string", description: "Devices silent longer are not targets (default 90s)" },
    detach: {
      type: "boolean",
      description: "Write the rollout's first step and exit (fleet controller drives it)",
    },
    force: { type: "boolean", description: "Deploy at once even while a rollout is in progress (aborts it)" },
    ...connectionArgs,
  },
  run: fleetRun(async ({ args }) => {
    const group = parseFleetName("group", args.group);
    const signKey = signKeyOf(args["sign-key"]);
    const rolloutOnly = ["abort-threshold", "abort-min-executed", "step-timeout", "detach"] as const;
    if (args.rollout === undefined) {
      const misplaced = rolloutOnly.find((flag) => args[flag] !== undefined && args[flag] !== false);
      if (misplaced) throw new CliError(`--${misplaced} needs --rollout`, 252);
    }
    const plan = args.rollout === undefined ? null : {
      steps: parseFlagWith("rollout", () => parseRolloutSpec(args.rollout!)),
      thresholdPercentage: args["abort-threshold"] === undefined
        ? null
        : parseFlagWith("abort-threshold", () => parsePercentage(args["abort-threshold"]!)),
      minExecuted: args["abort-min-executed"] === undefined ? 1 : parseFlag(
        v.pipe(IntegerFlag, v.minValue(1, "must be at least 1")),
        "abort-min-executed",
        args["abort-min-executed"],
      ),
      stepTimeoutMinutes: parseDuration("step-timeout", args["step-timeout"] ?? "10m") / 60_000,
    };
    const staleAfterMs = parseDuration(
      "stale-after",
      args["stale-after"] ?? `${DEFAULT_STALE_AFTER_MS / 1000}s`,
    );
    const document = readDeploymentDocument(args.file);
    const valid = v.safeParse(DeploymentDocumentSchema, document);
    if (!valid.success) {
      const issue = valid.issues[0];
      const where = issue.path?.map((item) => String(item.key)).join(".");
      throw new CliError(
        `The deployment document ${args.file} is not valid: ${where ? `${where}: ` : ""}${issue.message}`,
        252,
      );
    }
    await withHub(args, `lambdalet fleet deploy ${group}`, async (nc) => {
      const stores = await openFleetStores(nc);
      if (plan === null) {
        const deployed = await deployStable(stores, group, document, { signKey, force: args.force === true });
        printResult({
          Group: group,
          Key: "stable",
          Revision: deployed.revision,
          Digest: deployed.digest,
          Uploaded: deployed.uploaded,
          Reused: deployed.reused,
          Signed: signKey !== null,
        });
        return;
      }
      const controller = new RolloutController(stores, {
        signKey,
        staleAfterMs,
        log: (line) => console.error(line),
      });
      const started = await controller.start(group, document, plan);
      if (args.detach) {
        printResult({
          Group: group,
          RolloutId: started.rollout.rolloutId,
          Revision: started.revision,
          Digest: started.digest,
          Targets: started.rollout.targets,
          Released: started.rollout.released,
          Uploaded: started.uploaded,
          Reused: started.reused,
        });
        return;
      }
      const stop = new AbortController();
      const interrupt = () => stop.abort();
      process.once("SIGINT", interrupt);
      const result = await controller.drive(group, started.rollout.rolloutId, stop.signal)
        .finally(() => process.off("SIGINT", interrupt));
      console.error(renderStatusTable(await readStatuses(stores.status, { group, staleAfterMs })));
      printResult({
        Group: group,
        RolloutId: result.rolloutId,
        State: result.state,
        Reason: result.reason,
        Digest: started.digest,
        Targets: result.targets,
        Released: result.released,
        Outcomes: result.outcomes,
      });
      if (result.state !== "COMPLETED") {
        await nc.close().catch(() => {});
        process.exit(1);
      }
    });
  }),
});

function parseFlagWith<T>(flag: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new CliError(`Error parsing parameter '--${flag}': ${messageOf(error)}`, 252);
  }
}
