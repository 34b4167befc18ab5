/** @module Reads the bridge's TLS files (CA, client certificate and key) once, at start, naming any that fails. */
import { readFileSync } from "node:fs";
import type { MqttOptions } from "../config/mod.ts";
import { MqttBridgeError } from "./errors.ts";

/** The PEM texts of the bridge's TLS settings that are set. */
export interface TlsMaterial {
  /** Certificate authorities the broker's certificate must chain to (the system's when absent). */
  ca?: string;
  /** The client certificate. */
  cert?: string;
  /** Its private key. */
  key?: string;
}

/** Reads `caPath`, `certPath` and `keyPath`; throws an {@linkcode MqttBridgeError} naming the setting and the file. */
export function readTlsMaterial(options: Pick<MqttOptions, "caPath" | "certPath" | "keyPath">): TlsMaterial {
  const material: TlsMaterial = {};
  const settings = [["caPath", "ca"], ["certPath", "cert"], ["keyPath", "key"]] as const;
  for (const [setting, field] of settings) {
    const path = options[setting];
    if (path === null) continue;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new MqttBridgeError(
        `Cannot start the MQTT bridge as 'mqtt.${setting}' cannot be read: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
    }
    if (!text.includes("-----BEGIN ")) {
      throw new MqttBridgeError(
        `Cannot start the MQTT bridge as 'mqtt.${setting}' must be a PEM file: ${path} holds no "-----BEGIN" line`,
      );
    }
    material[field] = text;
  }
  return material;
}
