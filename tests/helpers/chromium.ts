/** @module Headless Chromium for the dashboard's browser tests: Debian's `chromium`, driven by playwright-core. */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium, or null when it is not installed (`apt-get install chromium`). */
export const CHROMIUM: string | null = existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : null;

/** Starts headless Chromium (without its sandbox, which needs user namespaces that root in CI may not have). */
export async function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error("Chromium is not installed: apt-get install chromium");
  return await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}
