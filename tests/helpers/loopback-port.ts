/** @module Loopback ports for the servers tests start: a free one, and whether one accepts connections yet. */
import { connect as netConnect } from "node:net";

/** A port free on loopback now. */
export async function freePort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return await Promise.resolve(port);
}

/** Whether something accepts TCP connections on `port`. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}
