/** @module The warnings a Greengrass component earns for members lambdalet does not know (or does not support). */
import {
  ContainerParamsSchema,
  DependencySchema,
  DeviceSchema,
  EventSourceSchema,
  type LambdaFunctionRecipeSource,
  LambdaFunctionRecipeSourceSchema,
  LambdaParametersSchema,
  LinuxProcessParamsSchema,
  PlatformSchema,
  VolumeSchema,
} from "./greengrass-schemas.ts";

/** Adds to `warnings` a line for each member of `source` (at any depth) that Greengrass's schema does not name. */
export function collectSourceWarnings(
  source: LambdaFunctionRecipeSource,
  prefix: string,
  warnings: string[],
): void {
  unknownMembers(source, LambdaFunctionRecipeSourceSchema.entries, prefix, warnings);
  for (const [index, platform] of (source.componentPlatforms ?? []).entries()) {
    unknownMembers(platform, PlatformSchema.entries, `${prefix}componentPlatforms[${index}].`, warnings);
  }
  for (const [dependency, requirement] of Object.entries(source.componentDependencies ?? {})) {
    unknownMembers(
      requirement,
      DependencySchema.entries,
      `${prefix}componentDependencies.${dependency}.`,
      warnings,
    );
  }
  const parameters = source.componentLambdaParameters;
  if (!parameters) return;
  const at = `${prefix}componentLambdaParameters.`;
  unknownMembers(parameters, LambdaParametersSchema.entries, at, warnings);
  for (const [index, eventSource] of (parameters.eventSources ?? []).entries()) {
    unknownMembers(eventSource, EventSourceSchema.entries, `${at}eventSources[${index}].`, warnings);
  }
  const linux = parameters.linuxProcessParams;
  if (!linux) return;
  unknownMembers(linux, LinuxProcessParamsSchema.entries, `${at}linuxProcessParams.`, warnings);
  const container = linux.containerParams;
  if (!container) return;
  const cp = `${at}linuxProcessParams.containerParams.`;
  unknownMembers(container, ContainerParamsSchema.entries, cp, warnings);
  for (const [index, volume] of (container.volumes ?? []).entries()) {
    unknownMembers(volume, VolumeSchema.entries, `${cp}volumes[${index}].`, warnings);
  }
  for (const [index, device] of (container.devices ?? []).entries()) {
    unknownMembers(device, DeviceSchema.entries, `${cp}devices[${index}].`, warnings);
  }
}

/**
 * Adds to `warnings` a line for each member of `value` that `known` does not name (ignored), or that `unsupported`
 * names (with why), each prefixed with `prefix`, the member's path.
 */
export function unknownMembers(
  value: Record<string, unknown>,
  known: Record<string, unknown>,
  prefix: string,
  warnings: string[],
  unsupported: Record<string, string> = {},
): void {
  for (const key of Object.keys(value)) {
    if (key in unsupported) warnings.push(`${prefix}${key} is not supported: ${unsupported[key]}`);
    else if (!(key in known)) {
      warnings.push(`${prefix}${key} is not a Greengrass field lambdalet knows: ignored`);
    }
  }
}
