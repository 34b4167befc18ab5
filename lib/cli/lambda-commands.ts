/** @module Every control-plane command, with the AWS CLI's names and flags. */
import type { CommandDef } from "citty";
import { FUNCTION_COMMANDS } from "./function-commands.ts";
import { LAYER_COMMANDS } from "./layer-commands.ts";
import { PROVISIONED_CONCURRENCY_COMMANDS } from "./provisioned-concurrency-commands.ts";
import { SETTING_COMMANDS } from "./setting-commands.ts";
import { URL_COMMANDS } from "./url-commands.ts";
import { VERSION_COMMANDS } from "./version-commands.ts";

/** Every control-plane command by name. */
export const LAMBDA_COMMANDS: Record<string, CommandDef> = {
  ...FUNCTION_COMMANDS,
  ...VERSION_COMMANDS,
  ...SETTING_COMMANDS,
  ...PROVISIONED_CONCURRENCY_COMMANDS,
  ...URL_COMMANDS,
  ...LAYER_COMMANDS,
};
