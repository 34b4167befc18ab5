/** @module `lambdalet fleet controller`: drives every rollout in progress, now and later, until stopped. */
import { defineCommand } from "citty";
import { openFleetStores } from "../fleet/deployer.ts";
import { RolloutController } from "../fleet/rollout.ts";
import { DEFAULT_STALE_AFTER_MS } from "../fleet/status-table.ts";
import { connectionArgs, parseDuration } from "./fleet-args.ts";
import { connectHub, fleetRun, signKeyOf } from "./fleet-run.ts";

/** `fleet controller`. */
export const controllerCommand = defineCommand({
  meta: { name: "controller", description: "Drive every rollout in progress, now and later, until stopped" },
  args: {
    "sign-key": { type: "string", description: "The Ed25519 private key (PEM) to sign with" },
    "stale-after": { type: "string", description: "Devices silent longer are not targets (default 90s)" },
    ...connectionArgs,
  },
  run: fleetRun(async ({ args }) => {
    const signKey = signKeyOf(args["sign-key"]);
    const staleAfterMs = parseDuration(
      "stale-after",
      args["stale-after"] ?? `${DEFAULT_STALE_AFTER_MS / 1000}s`,
    );
    const nc = await connectHub(args, "lambdalet fleet controller", true);
    const stop = new AbortController();
    const interrupt = () => stop.abort();
    process.once("SIGINT", interrupt);
    process.once("SIGTERM", interrupt);
    try {
      const stores = await openFleetStores(nc);
      console.error("lambdalet fleet controller: driving rollouts (Ctrl-C to stop)");
      await new RolloutController(stores, { signKey, staleAfterMs, log: (line) => console.error(line) })
        .runAll(stop.signal);
    } finally {
      await nc.close().catch(() => {});
    }
  }),
});
