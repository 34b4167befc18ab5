/** @module Finds which process holds the client end of a loopback TCP connection, from /proc. */
import { closeSync, fstatSync, openSync, readdirSync, readlinkSync, readSync } from "node:fs";
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

/** Where /proc/net/tcp tables are read: reused (and grown) rather than allocated for every connection. */
let scratch = Buffer.allocUnsafe(256 * 1024);

/** Reads a /proc/net table into `scratch`; returns a view of what was read (empty when it cannot be read). */
function readTable(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return scratch.subarray(0, 0);
  }
  try {
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger);
        scratch = bigger;
      }
      const read = readSync(fd, scratch, length, scratch.length - length, null);
      if (read === 0) return scratch.subarray(0, length);
      length += read;
    }
  } catch {
    return scratch.subarray(0, 0);
  } finally {
    closeSync(fd);
  }
}

/** The inode of the socket listed as `local remote` in a /proc/net/tcp table, skipping sockets without one. */
function inodeIn(table: Buffer, local: string, remote: string): number | null {
  const key = `${local} ${remote} `;
  for (
    let at = table.indexOf(key, 0, "latin1");
    at !== -1;
    at = table.indexOf(key, at + key.length, "latin1")
  ) {
    const end = table.indexOf(10, at);
    // local remote st tx:rx tr:when retrnsmt uid timeout inode
    const fields = table.toString("latin1", at, end === -1 ? table.length : end).trim().split(/\s+/);
    const inode = Number(fields[8]);
    if (inode > 0) return inode;
  }
  return null;
}

/** The sockets of both ends of one loopback TCP connection. */
export interface ConnectionInodes {
  /** The inode of the client's socket (local end `client`, remote end `server`). */
  client: number;
  /** The inode of the server's socket (local end `server`, remote end `client`), or null when it is not listed. */
  server: number | null;
}

/**
 * The socket inodes of the connection from `client` to `server`, from /proc/net/tcp (then /proc/net/tcp6, for a
 * client on an IPv6 socket) of this network namespace; null when the client's socket is not listed (it closed it,
 * or it lives in another network namespace). Reading a table costs a millisecond or two: the kernel walks its
 * whole connection hash.
 */
export function connectionInodes(client: Endpoint, server: Endpoint): ConnectionInodes | null {
  const local = procForms(client);
  const remote = procForms(server);
  if (!local || !remote) return null;
  const v4 = readTable("/proc/net/tcp");
  const serverInode = inodeIn(v4, remote.tcp, local.tcp);
  const inode = inodeIn(v4, local.tcp, remote.tcp) ??
    inodeIn(readTable("/proc/net/tcp6"), local.tcp6, remote.tcp6);
  return inode === null ? null : { client: inode, server: serverInode };
}

/** The link an open socket's file descriptor has in /proc/<pid>/fd. */
export function socketLink(inode: number): string {
  return `socket:[${inode}]`;
}

/**
 * The inode of the socket this process holds by descriptor `fd` (its name in /proc/self/fd), or null when `fd` is
 * not open or not a socket. One `fstat`: a quarter of the cost of reading the descriptor's link in /proc.
 */
export function ownSocketInode(fd: string): number | null {
  try {
    const stat = fstatSync(Number(fd));
    return stat.isSocket() ? stat.ino : null;
  } catch {
    return null;
  }
}

/**
 * The file descriptor (its name in /proc/self/fd) by which this process holds socket `inode`, or null: one `fstat`
 * per descriptor, a fraction of what reading each link in /proc costs (an agent holds a few per worker).
 */
export function ownSocketFd(inode: number): string | null {
  return findFd("self", (fd) => ownSocketInode(fd) === inode);
}

/** What `/proc/<pid>/fd/<fd>` links to, or null when it is not open (or cannot be read). */
export function fdLink(pid: number | "self", fd: string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return null;
  }
}

/** The file descriptor (its name in /proc/<pid>/fd) by which process `pid` holds socket `inode`, or null. */
export function socketFd(pid: number | "self", inode: number): string | null {
  const target = socketLink(inode);
  return findFd(pid, (fd) => fdLink(pid, fd) === target);
}

/** The names in folder `path`, or null when it cannot be read (a process gone, or another user's). */
function namesIn(path: string): string[] | null {
  try {
    return readdirSync(path);
  } catch {
    return null;
  }
}

/** The first descriptor of `pid` (its name in /proc/<pid>/fd) that `matches`, newest first; null when none does. */
function findFd(pid: number | "self", matches: (fd: string) => boolean): string | null {
  const fds = namesIn(`/proc/${pid}/fd`) ?? [];
  // the newest descriptors are the likeliest: a connection accepted or opened a moment ago
  for (let i = fds.length - 1; i >= 0; i--) {
    if (matches(fds[i]!)) return fds[i]!;
  }
  return null;
}

/**
 * Whether this process is denied the list of `pid`'s open files (a process of another user, to an agent without
 * CAP_SYS_PTRACE); false when it can read it or the process is gone.
 */
export function fdsDenied(pid: number): boolean {
  try {
    readdirSync(`/proc/${pid}/fd`);
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "EACCES" || code === "EPERM";
  }
}

/** Whether process `pid` has socket `inode` among its open file descriptors (false when it cannot be read). */
export function holdsSocket(pid: number, inode: number): boolean {
  return socketFd(pid, inode) !== null;
}

/** A process holding a socket, and the descriptor it holds it by. */
export interface SocketHolder {
  /** The process. */
  pid: number;
  /** The descriptor's name in /proc/<pid>/fd. */
  fd: string;
}

/** The first of `pids` that holds socket `inode`, or null. */
export function holderAmong(pids: Iterable<number>, inode: number): SocketHolder | null {
  for (const pid of pids) {
    const fd = socketFd(pid, inode);
    if (fd !== null) return { pid, fd };
  }
  return null;
}

/** A process holding socket `inode`, searching every process in /proc; null when none is found. */
export function findSocketHolder(inode: number): SocketHolder | null {
  const entries = namesIn("/proc") ?? [];
  return holderAmong(entries.filter((name) => /^\d+$/.test(name)).map(Number), inode);
}
