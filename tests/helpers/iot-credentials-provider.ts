/** @module A stand-in for AWS IoT's credentials provider: HTTPS that demands a client certificate of the test CA. */
import { readFileSync } from "node:fs";
import type { TestCertificates } from "./test-certificates.ts";

/** What the stand-in saw and serves. */
export interface StandInProvider {
  /** `127.0.0.1:<port>`, as `iotCredEndpoint`. */
  endpoint: string;
  /** Each request's path and thing name header, in order. */
  requests: { path: string; thingName: string | null }[];
  /** The key id the next answers carry; change it to see a refresh. */
  accessKeyId: string;
  /** How long the credentials it issues last, in seconds. */
  lifetimeSeconds: number;
  /** Stops it. */
  stop(): Promise<void>;
}

/**
 * Serves `GET /role-aliases/<alias>/credentials` over TLS with the test server certificate, refusing a connection
 * without a client certificate of the test CA (TLS) and a request without `x-amzn-iot-thingname` (400), as the
 * real provider does; answers `{credentials: {...}}` for `roleAlias` and 404 for another alias.
 */
export function startStandInProvider(certs: TestCertificates, roleAlias: string): StandInProvider {
  const provider: StandInProvider = {
    endpoint: "",
    requests: [],
    accessKeyId: "ASIASTANDINPROVIDER1",
    lifetimeSeconds: 3600,
    stop: async () => {
      await server.stop(true);
    },
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: {
      cert: readFileSync(certs.serverCert, "utf8"),
      key: readFileSync(certs.serverKey, "utf8"),
      ca: readFileSync(certs.caCert, "utf8"),
      requestCert: true,
      rejectUnauthorized: true,
    },
    fetch(request) {
      const url = new URL(request.url);
      const thingName = request.headers.get("x-amzn-iot-thingname");
      provider.requests.push({ path: url.pathname, thingName });
      if (!thingName) return Response.json({ message: "Missing thingName" }, { status: 400 });
      if (url.pathname !== `/role-aliases/${roleAlias}/credentials`) {
        return Response.json({ message: "Role alias does not exist" }, { status: 404 });
      }
      return Response.json({
        credentials: {
          accessKeyId: provider.accessKeyId,
          secretAccessKey: "standInSecretAccessKey0000000000000000000",
          sessionToken: "standInSessionToken",
          expiration: new Date(Date.now() + provider.lifetimeSeconds * 1000).toISOString(),
        },
      });
    },
  });
  provider.endpoint = `127.0.0.1:${server.port}`;
  return provider;
}
