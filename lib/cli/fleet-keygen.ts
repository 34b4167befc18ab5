/** @module `lambdalet fleet keygen`: an Ed25519 key pair to sign deployments, written without overwriting. */
import { defineCommand } from "citty";
import { existsSync, writeFileSync } from "node:fs";
import * as v from "valibot";
import { generateSigningKeys } from "../fleet/envelope.ts";
import { CliError } from "./cli-error.ts";
import { fleetRun, messageOf } from "./fleet-run.ts";
import { parseFlag } from "./flags.ts";
import { printResult } from "./output.ts";

/** `fleet keygen`. */
export const keygenCommand = defineCommand({
  meta: { name: "keygen", description: "Make an Ed25519 key pair to sign deployments (NAME.key, NAME.pub)" },
  args: {
    out: { type: "string", required: true, description: "The files' name without extension" },
  },
  run: fleetRun(async ({ args }) => {
    const out = parseFlag(v.pipe(v.string(), v.minLength(1, "must not be empty")), "out", args.out);
    const keyFile = `${out}.key`;
    const pubFile = `${out}.pub`;
    for (const file of [keyFile, pubFile]) {
      if (existsSync(file)) throw new CliError(`${file} exists: refusing to overwrite a key`, 252);
    }
    const keys = generateSigningKeys();
    try {
      writeFileSync(keyFile, keys.privatePem, { mode: 0o600, flag: "wx" });
      writeFileSync(pubFile, keys.publicPem, { mode: 0o644, flag: "wx" });
    } catch (error) {
      throw new CliError(`Could not write the key files: ${messageOf(error)}`, 255);
    }
    printResult({
      PublicKey: keys.publicLine,
      KeyId: keys.keyId,
      PrivateKeyFile: keyFile,
      PublicKeyFile: pubFile,
    });
    return await Promise.resolve();
  }),
});
