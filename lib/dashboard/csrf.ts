/** @module Cross-site request forgery checks of the dashboard's forms: the request's Origin and the form's token. */
import { sameSecret } from "./sessions.ts";

/** The name of the hidden field that carries a form's token. */
export const CSRF_FIELD = "csrf";

/**
 * Whether `request` comes from a page of this agent: its `Origin` header names the origin it was sent to. Browsers
 * send `Origin` with every POST; a request without one is refused too.
 */
export function fromSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin === null || origin === "null") return false;
  return origin === new URL(request.url).origin;
}

/** Whether the form's token is the one expected (compared in constant time). */
export function validToken(given: unknown, expected: string): boolean {
  return typeof given === "string" && given.length > 0 && sameSecret(given, expected);
}
