/** @module Finds which process holds the client end of a loopback TCP connection, from /proc. */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { endianness } from "node:os";

/** One end of a TCP connection. */
export interface Endpoint {
  /** An IPv4 address in dotted form (an IPv4-mapped IPv6 form such as `::ffff:127.0.0.1` is accepted). */
  address: string;
  /** The TCP port. */
  port: number;
}

const LITTLE_ENDIAN = endianness() === "LE";

/** A 32-bit word of an address as /proc/net/tcp prints it: the network-order bytes read as a host-order number. */
function wordHex(bytes: number[]): string {
  const ordered = LITTLE_ENDIAN ? [...bytes].reverse() : bytes;
  return ordered.map((byte) => byte.toString(16).padStart(2, "0")).join("").toUpperCase();
}

function ipv4Bytes(address: string): number[] | null {
  const dotted = address.startsWith("::ffff:") ? address.slice(7) : address;
  const parts = dotted.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) < 256)) return null;
  return parts.map(Number);
}

function portHex(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, "0");
}

/** How `endpoint` appears in /proc/net/tcp and, as an IPv4-mapped address, in /proc/net/tcp6; null if not IPv4. */
function procForms(endpoint: Endpoint): { tcp: string; tcp6: string } | null {
  const bytes = ipv4Bytes(endpoint.address);
  if (!bytes) return null;
  const port = portHex(endpoint.port);
  const v4 = wordHex(bytes);
  return { tcp: `${v4}:${port}`, tcp6: `0000000000000000${wordHex([0, 0, 255, 255])}${v4}:${port}` };
}

/** The inode of the socket listed as `local remote` in a /proc/net/tcp table, skipping sockets without one. */
function inodeIn(table: string, local: string, remote: string): number | null {
  const key = `${local} ${remote} `;
  for (let at = table.indexOf(key); at !== -1; at = table.indexOf(key, at + key.length)) {
    const end = table.indexOf("\n", at);
    // local remote st tx:rx tr:when retrnsmt uid timeout inode
    const inode = Number(table.slice(at, end === -1 ? undefined : end).trim().split(/\s+/)[8]);
    if (inode > 0) return inode;
  }
  return null;
}

function readTable(path: string): string {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return "";
  }
}

/**
 * The inode of the socket whose local end is `client` and remote end is `server` (the client's end of a
 * connection to `server`), from /proc/net/tcp and /proc/net/tcp6 of this network namespace; null when there is
 * none (the client closed it, or it lives in another network namespace).
 */
export function clientSocketInode(client: Endpoint, server: Endpoint): number | null {
  const local = procForms(client);
  const remote = procForms(server);
  if (!local || !remote) return null;
  return inodeIn(readTable("/proc/net/tcp"), local.tcp, remote.tcp) ??
    inodeIn(readTable("/proc/net/tcp6"), local.tcp6, remote.tcp6);
}

/** Whether process `pid` has socket `inode` among its open file descriptors (false when it cannot be read). */
export function holdsSocket(pid: number, inode: number): boolean {
  const target = `socket:[${inode}]`;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

/** The first of `pids` that holds socket `inode`, or null. */
export function holderAmong(pids: Iterable<number>, inode: number): number | null {
  for (const pid of pids) {
    if (holdsSocket(pid, inode)) return pid;
  }
  return null;
}

/** The pid of a process holding socket `inode`, searching every process in /proc; null when none is found. */
export function findSocketHolder(inode: number): number | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  return holderAmong(entries.filter((name) => /^\d+$/.test(name)).map(Number), inode);
}
