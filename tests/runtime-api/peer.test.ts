/** @module Finding the ends of a loopback connection in /proc: a real server and client in this process. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { connectionInodes, ownSocketFd, ownSocketInode, socketFd } from "../../lib/runtime-api/peer.ts";

describe("the agent's own end of a connection", () => {
  let server: Server;
  let client: Socket;
  let port = 0;

  beforeAll(async () => {
    server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
    client = createConnection({ host: "127.0.0.1", port });
    await new Promise<void>((resolve) => client.once("connect", resolve));
  });

  afterAll(() => {
    client.destroy();
    server.close();
  });

  test("ownSocketFd finds the descriptor of the server's socket, as reading every link in /proc does", () => {
    const inodes = connectionInodes(
      { address: "127.0.0.1", port: client.localPort! },
      { address: "127.0.0.1", port },
    );
    expect(inodes).not.toBeNull();
    expect(inodes!.server).not.toBeNull();
    const fd = ownSocketFd(inodes!.server!);
    expect(fd).not.toBeNull();
    expect(ownSocketInode(fd!)).toBe(inodes!.server!);
    expect(fd).toBe(socketFd("self", inodes!.server!));
    // the client's end is another socket of this process, by another descriptor
    const clientFd = ownSocketFd(inodes!.client);
    expect(clientFd).not.toBeNull();
    expect(clientFd).not.toBe(fd);
  });

  test("ownSocketFd answers null for a socket this process does not hold", () => {
    expect(ownSocketFd(1)).toBeNull();
  });
});
