/**
 * @module The control plane: functions, versions, aliases, code, deployments with rollback, version resolution,
 * pinned start-up and the Event pipeline. The API's handlers, the agent and every trigger call this surface.
 */
export { type ControlPlane, type ControlPlaneOptions, createControlPlane } from "./control-plane.ts";
export type { ControlPlaneDeps, InvocationRunner } from "./deps.ts";
export { ChangeFeed, type ChangeListener } from "./change-feed.ts";
export { functionArn, type FunctionRef, parseFunctionRef } from "./arn.ts";
export { FunctionNotRunnableError } from "./errors.ts";
export { type FunctionHttpRoute, Functions, type PublishVersionInput } from "./functions.ts";
export { Aliases, type CreateAliasInput, type UpdateAliasInput } from "./aliases.ts";
export { layerArn, Layers, layerTreeOf, layerVersionArn, MAX_FUNCTION_LAYERS } from "./layers.ts";
export { type EventInvokeConfigChange, EventInvokeConfigs } from "./event-invoke-configs.ts";
export {
  ProvisionedConcurrency,
  ProvisionedConcurrencyConfigNotFoundError,
  type ProvisionedConcurrencyState,
  type ProvisionedConcurrencyStatus,
} from "./provisioned-concurrency.ts";
export { Invocations, type NewEvent, traceId } from "./invocations.ts";
export {
  HTTP_INTEGRATION_CONTENT_TYPE,
  httpResponseOf,
  type HttpResponseOptions,
  ResponseStreamError,
} from "./streamed-http-response.ts";
export {
  Deployments,
  type DeploymentsOptions,
  type DeployOptions,
  type DesiredState,
} from "./deployments.ts";
export { FunctionUrls } from "./function-urls.ts";
export {
  GreengrassImports,
  type ImportedComponent,
  mapGreengrassImport,
  type MappedComponent,
} from "./greengrass-import.ts";
export type { ResolvedVersion } from "./resolve.ts";
export type { Schedules } from "./schedules.ts";
export { type Published, topicOrderingKey, Topics, type TopicSubscription } from "./topics.ts";
export { IotCore, type MqttStatus } from "./iot-core.ts";
