/** @module A CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with the openssl CLI. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./agent-process.ts";

/** PEM files of a test PKI. */
export interface TestCertificates {
  /** The folder holding them. */
  dir: string;
  /** The CA certificate both others are signed by. */
  caCert: string;
  /** The server's certificate (`localhost`, `127.0.0.1`) and key. */
  serverCert: string;
  serverKey: string;
  /** A client certificate (for mutual TLS) and key. */
  clientCert: string;
  clientKey: string;
}

function openssl(args: string[], cwd: string): void {
  const result = Bun.spawnSync({ cmd: ["openssl", ...args], cwd, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr.toString()}`);
}

/** Signs a new EC key's certificate for `subject` with the CA in `dir`, with `extensions` (an openssl ext file body). */
function issue(dir: string, name: string, subject: string, extensions: string): void {
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`], dir);
  openssl(["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl([
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-sha256",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.pem`,
  ], dir);
}

/** Makes a CA, a server certificate for loopback and a client certificate, in a new temporary folder. */
export function makeTestCertificates(): TestCertificates {
  const dir = tempDir("lambdalet-pki-");
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"], dir);
  openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    "ca.key",
    "-subj",
    "/CN=lambdalet test CA",
    "-days",
    "2",
    "-sha256",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-out",
    "ca.pem",
  ], dir);
  issue(
    dir,
    "server",
    "/CN=localhost",
    "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
  );
  issue(dir, "client", "/CN=test-thing", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  return {
    dir,
    caCert: join(dir, "ca.pem"),
    serverCert: join(dir, "server.pem"),
    serverKey: join(dir, "server.key"),
    clientCert: join(dir, "client.pem"),
    clientKey: join(dir, "client.key"),
  };
}
