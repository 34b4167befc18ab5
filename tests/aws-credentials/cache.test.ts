/** @module The credentials cache: kept until shortly before expiry, one fetch for callers at the same time. */
import { describe, expect, test } from "bun:test";
import {
  type AwsCredentials,
  CredentialCache,
  type CredentialSource,
  CredentialSourceError,
} from "../../lib/aws-credentials/mod.ts";

const MINUTE = 60_000;

/** A source whose answers the test scripts: each fetch returns the next key id, expiring `lifetimeMs` after `now`. */
class ScriptedSource implements CredentialSource {
  readonly description = "a scripted source";
  fetches = 0;
  failing = false;
  held = false;
  release: (() => void) | null = null;
  constructor(private readonly clock: { now: number }, private readonly lifetimeMs: number | null) {}

  async fetch(): Promise<AwsCredentials> {
    this.fetches++;
    if (this.release === null && this.held) await new Promise<void>((resolve) => (this.release = resolve));
    if (this.failing) throw new CredentialSourceError("the provider is down");
    return {
      accessKeyId: `KEY${this.fetches}`,
      secretAccessKey: "secret",
      sessionToken: "token",
      expiration: this.lifetimeMs === null ? null : new Date(this.clock.now + this.lifetimeMs),
    };
  }
}

describe("CredentialCache", () => {
  test("serves the same credentials until 5 minutes before they expire, then fetches again", async () => {
    const clock = { now: Date.parse("2026-11-30T00:00:00Z") };
    const source = new ScriptedSource(clock, 60 * MINUTE);
    const cache = new CredentialCache(source, { now: () => clock.now });
    expect((await cache.get()).accessKeyId).toBe("KEY1");
    clock.now += 54 * MINUTE;
    expect((await cache.get()).accessKeyId).toBe("KEY1");
    expect(source.fetches).toBe(1);
    clock.now += 1 * MINUTE + 1;
    const refreshed = await cache.get();
    expect(refreshed.accessKeyId).toBe("KEY2");
    expect(refreshed.expiration.getTime()).toBe(clock.now + 60 * MINUTE);
    expect(source.fetches).toBe(2);
  });

  test("the refresh margin is an option", async () => {
    const clock = { now: 0 };
    const source = new ScriptedSource(clock, 15 * MINUTE);
    const cache = new CredentialCache(source, { now: () => clock.now, refreshBeforeMs: 10 * MINUTE });
    await cache.get();
    clock.now += 5 * MINUTE + 1;
    expect((await cache.get()).accessKeyId).toBe("KEY2");
  });

  test("callers at the same moment share one fetch", async () => {
    const clock = { now: 0 };
    const source = new ScriptedSource(clock, 60 * MINUTE);
    source.held = true;
    const cache = new CredentialCache(source, { now: () => clock.now });
    const waiting = Array.from({ length: 5 }, () => cache.get());
    // the fetch has started and waits; nobody else started another
    expect(source.fetches).toBe(1);
    source.release!();
    const answers = await Promise.all(waiting);
    expect(answers.map((answer) => answer.accessKeyId)).toEqual(["KEY1", "KEY1", "KEY1", "KEY1", "KEY1"]);
    expect(source.fetches).toBe(1);
  });

  test("credentials that do not expire are given a lifetime and read again after it", async () => {
    const clock = { now: 0 };
    const source = new ScriptedSource(clock, null);
    const cache = new CredentialCache(source, { now: () => clock.now, staticLifetimeMs: 60 * MINUTE });
    expect((await cache.get()).expiration.getTime()).toBe(60 * MINUTE);
    clock.now = 55 * MINUTE + 1;
    expect((await cache.get()).accessKeyId).toBe("KEY2");
  });

  test("a failed refresh serves the credentials held until they expire, then fails", async () => {
    const clock = { now: 0 };
    const source = new ScriptedSource(clock, 60 * MINUTE);
    const stale: unknown[] = [];
    const cache = new CredentialCache(source, {
      now: () => clock.now,
      onStaleServed: (error) => stale.push(error),
    });
    await cache.get();
    source.failing = true;
    clock.now = 58 * MINUTE;
    expect((await cache.get()).accessKeyId).toBe("KEY1");
    expect(stale).toHaveLength(1);
    clock.now = 60 * MINUTE;
    await expect(cache.get()).rejects.toThrow(CredentialSourceError);
    // a failure is not kept: the next caller asks the source again
    source.failing = false;
    expect((await cache.get()).accessKeyId).toBe("KEY4");
  });

  test("a first fetch that fails throws the source's error", async () => {
    const source = new ScriptedSource({ now: 0 }, 60 * MINUTE);
    source.failing = true;
    const cache = new CredentialCache(source);
    await expect(cache.get()).rejects.toThrow("the provider is down");
  });
});
