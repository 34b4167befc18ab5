/** @module Runtime API calls made by real child processes (`curl`), as a worker's runtime makes them. */

/** What one call answered, and who made it. */
export interface CurlAnswer {
  /** The pid of the curl process that made the call. */
  pid: number;
  /** HTTP status; 0 when curl got no answer. */
  status: number;
  /** Response headers, lower-cased names. */
  headers: Record<string, string>;
  /** Response body. */
  body: string;
  /** The local port curl connected from. */
  localPort: number;
  /** curl's exit code. */
  code: number;
}

/** Options of {@linkcode curlCall}. */
export interface CurlOptions {
  /** HTTP method. @default "GET" */
  method?: string;
  /** Request body. @default none */
  body?: string;
  /** Request headers. @default {} */
  headers?: Record<string, string>;
  /** The local port to connect from. @default any */
  localPort?: number;
}

/** A started call: the curl process's pid right away, its answer when it ends. */
export interface CurlCall {
  /** The pid of the curl process. */
  pid: number;
  /** Resolves when curl exits. */
  answer: Promise<CurlAnswer>;
  /** Kills curl (a parked `next` goes away). */
  kill(): void;
}

const MARK = "\n--curl-local-port:";

/** Starts `curl` on `url`, a separate process as any worker's runtime would be. */
export function curlCall(url: string, options: CurlOptions = {}): CurlCall {
  const cmd = ["curl", "-sS", "-i", "-X", options.method ?? "GET", "-w", `${MARK}%{local_port}`];
  cmd.push("-H", "Expect:");
  for (const [name, value] of Object.entries(options.headers ?? {})) cmd.push("-H", `${name}: ${value}`);
  if (options.body !== undefined) cmd.push("--data-binary", "@-");
  if (options.localPort !== undefined) cmd.push("--local-port", String(options.localPort));
  cmd.push(url);
  const proc = Bun.spawn({
    cmd,
    stdin: options.body === undefined ? "ignore" : new Blob([options.body]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const answer = (async (): Promise<CurlAnswer> => {
    const [text, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    const mark = text.lastIndexOf(MARK);
    const localPort = Number(text.slice(mark + MARK.length));
    const raw = mark === -1 ? text : text.slice(0, mark);
    const split = raw.indexOf("\r\n\r\n");
    const head = split === -1 ? raw : raw.slice(0, split);
    const [statusLine = "", ...lines] = head.split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    return {
      pid: proc.pid,
      status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine)?.[1] ?? 0),
      headers,
      body: split === -1 ? "" : raw.slice(split + 4),
      localPort,
      code,
    };
  })();
  return { pid: proc.pid, answer, kill: () => proc.kill() };
}
