/** @module The MQTT bridge: one outbound connection to a broker (AWS IoT Core or another) and its SQLite spool. */
export { type BridgeStatus, type ConnectionState, MqttBridge, type MqttBridgeDeps } from "./bridge.ts";
export { Backoff } from "./backoff.ts";
export { MqttBridgeError } from "./errors.ts";
