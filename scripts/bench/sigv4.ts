/**
 * @module Signature verification cost: `bun scripts/bench/sigv4.ts [--requests 20000]`.
 *
 * Verifies signed Invoke requests (a 14-byte JSON body, the headers the AWS SDK signs) in process, against a key
 * store in SQLite, after a warm-up; prints the mean and p50/p99 per request. Each request is built and signed
 * beforehand, so only verification is timed: reading the body, hashing it, re-deriving the signature (signing keys
 * cached per day) and comparing.
 */
import { parseArgs } from "node:util";
import { Keyring, signRequest, verifySignature } from "../../lib/auth/mod.ts";
import { openStore } from "../../lib/store/mod.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { requests: { type: "string", default: "20000" } },
});
const count = Number(values.requests);
const store = openStore(":memory:");
const keyring = new Keyring(store.apiKeys);
const key = keyring.defaultKey();
const url = "http://127.0.0.1:9001/2015-03-31/functions/hello/invocations";
const body = '{"name":"Roy"}';
const headers = await signRequest(
  {
    method: "POST",
    url,
    body,
    headers: { "content-type": "application/json", "x-amz-invocation-type": "RequestResponse" },
  },
  { accessKeyId: key.accessKeyId, secretAccessKey: key.secret },
  "us-east-1",
);

async function run(n: number): Promise<number[]> {
  const times: number[] = [];
  // requests are built in small batches, so that the garbage of building them is not timed
  for (let done = 0; done < n; done += 500) {
    const requests = Array.from(
      { length: Math.min(500, n - done) },
      () => new Request(url, { method: "POST", headers, body }),
    );
    for (const request of requests) {
      const started = performance.now();
      const verified = await verifySignature(request, { keyring, region: "us-east-1" });
      times.push(performance.now() - started);
      if (!verified) throw new Error("not verified");
    }
  }
  return times;
}

await run(2000);
const times = (await run(count)).sort((a, b) => a - b);
const mean = times.reduce((sum, time) => sum + time, 0) / times.length;
const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p / 100 * times.length))]!;
console.log(`SigV4 verification of ${count} signed Invoke requests (in process)`);
console.log(
  `mean ${(mean * 1000).toFixed(1)} µs, p50 ${(at(50) * 1000).toFixed(1)} µs, p99 ${
    (at(99) * 1000).toFixed(1)
  } µs`,
);
store.close();
