/** @module Where a function URL answers: by host name (`<url-id>.lambda-url.<region>.localhost`) or by path (`/url/<url-id>/`). */

/** The two addresses of one function URL. */
export interface FunctionUrlAddresses {
  /** `http://<url-id>.lambda-url.<region>.localhost:<port>/`: Lambda's form; `*.localhost` names this host. */
  host: string;
  /** `http://<agent host>:<port>/url/<url-id>/`: for clients that cannot choose the Host header or resolve it. */
  path: string;
}

/** The path prefix of the path form. */
export const URL_PATH_PREFIX = "/url/";

const HOST_FORM = /^([a-z0-9]{32})\.lambda-url\.[a-z0-9.-]+$/;
const PATH_FORM = /^\/url\/([a-z0-9]{32})(\/.*)?$/;

/** The addresses of the URL `urlId` of an agent reached at `origin` (such as `http://127.0.0.1:9001`). */
export function functionUrlAddresses(urlId: string, origin: string, region: string): FunctionUrlAddresses {
  const base = new URL(origin);
  const port = base.port ? `:${base.port}` : "";
  return {
    host: `${base.protocol}//${urlId}.lambda-url.${region}.localhost${port}/`,
    path: `${base.origin}${URL_PATH_PREFIX}${urlId}/`,
  };
}

/** A request to a function URL: its url id, the path the function sees, and the host name it was called by. */
export interface UrlRequestTarget {
  /** The url id. */
  urlId: string;
  /** The request path as the function sees it (`rawPath`): after `/url/<url-id>` in the path form. */
  rawPath: string;
  /** The host name without the port. */
  domainName: string;
}

/**
 * Whether a Host header (or, for a request built in memory, its URL) may name a function URL: a test cheaper than
 * {@linkcode urlRequestTarget} that every function URL host name passes and the API's own names do not.
 */
export function mayBeFunctionUrlHost(hostOrUrl: string): boolean {
  return /lambda-url/i.test(hostOrUrl);
}

/** Which function URL a request is for, or null when it is for the API. */
export function urlRequestTarget(url: URL, hostHeader: string | undefined): UrlRequestTarget | null {
  const host = (hostHeader ?? url.host).toLowerCase().replace(/:\d+$/, "");
  const byHost = HOST_FORM.exec(host);
  if (byHost) return { urlId: byHost[1]!, rawPath: url.pathname, domainName: host };
  const byPath = PATH_FORM.exec(url.pathname);
  if (byPath) return { urlId: byPath[1]!, rawPath: byPath[2] ?? "/", domainName: host };
  return null;
}
