/** @module The MQTT bridge's own error. */

/** The bridge cannot start (a TLS file unreadable), or a message could not be handled. */
export class MqttBridgeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MqttBridgeError";
  }
}
