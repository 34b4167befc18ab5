/** @module The Lambda Extensions API (2020-01-01) of one worker: registrations, events, and the lifecycle they gate. */
import type { Invocation } from "./invocation.ts";
import { eventResponse, forbidden, registrationEvents, telemetrySubscription } from "./extension-requests.ts";
import {
  type ExtensionAgent,
  type ExtensionsOptions,
  MAX_EXTENSIONS,
  type ShutdownReason,
} from "./extension-types.ts";
import { accepted } from "./replies.ts";
import { readWhole } from "./response-body.ts";
import { TelemetryHub } from "./telemetry.ts";

const ID_HEADER = "lambda-extension-identifier";

/**
 * The extensions of one worker. External extensions (files of `/opt/extensions`) register under their file name;
 * any other name registers an internal extension (one the runtime's process starts, INVOKE only), as on Lambda,
 * until the init phase ends. Init ends once every external extension has registered, the runtime has asked for
 * work and every registered extension has called `next`. An invocation ends when the runtime has answered and
 * every extension subscribed to INVOKE has called `next` again. Before the worker goes, extensions subscribed to
 * SHUTDOWN get it and may take until its deadline to exit.
 */
export class ExtensionsApi {
  /** The worker's telemetry, fed by the agent and subscribed to by extensions. */
  readonly telemetry = new TelemetryHub();
  readonly #options: ExtensionsOptions;
  readonly #agents = new Map<string, ExtensionAgent>();
  readonly #external: Set<string>;
  #registrationOpen = true;
  #registered = false;
  #settled: (() => void)[] = [];
  #initDone: (() => void) | null = null;

  constructor(options: ExtensionsOptions) {
    this.#options = options;
    this.#external = new Set(options.externalNames ?? []);
    if (this.#external.size === 0) this.#registered = true;
    if (options.initStart) {
      this.telemetry.emit("platform.initStart", options.initStart.record, options.initStart.time);
    }
  }

  /** Whether any extension is subscribed to SHUTDOWN (and still runs): the worker's end then waits for them. */
  get wantsShutdown(): boolean {
    return [...this.#agents.values()].some((agent) => agent.events.has("SHUTDOWN") && !agent.exited);
  }

  /** The registered extensions, with what they subscribed to (for `platform.extension` records). */
  get registered(): { name: string; events: string[] }[] {
    return [...this.#agents.values()].map((agent) => ({ name: agent.name, events: [...agent.events] }));
  }

  /**
   * Resolves once init may end as far as extensions go: every external one registered and every registered one
   * waiting in `next`. Registration then closes.
   */
  initDone(): Promise<void> {
    return new Promise((resolve) => {
      this.#initDone = () => {
        this.#initDone = null;
        this.#registrationOpen = false;
        this.telemetry.endInit();
        resolve();
      };
      this.#check();
    });
  }

  /** Ends the init phase without waiting (a worker whose init ended before its first extension registered). */
  closeRegistration(): void {
    this.#registrationOpen = false;
    this.telemetry.endInit();
  }

  /** Hands the INVOKE event of `invocation` to each extension subscribed to it (the runtime has just taken it). */
  invoke(invocation: Invocation): void {
    const event = {
      eventType: "INVOKE",
      deadlineMs: invocation.deadlineMs,
      requestId: invocation.requestId,
      invokedFunctionArn: invocation.invokedFunctionArn,
      tracing: { type: "X-Amzn-Trace-Id", value: invocation.traceId },
    };
    for (const agent of this.#agents.values()) {
      if (agent.events.has("INVOKE") && !agent.exited) this.#send(agent, event);
    }
  }

  /** Resolves once every extension has called `next` since its last event (or exited). */
  settled(): Promise<void> {
    if (this.#allReady()) return Promise.resolve();
    return new Promise((resolve) => this.#settled.push(resolve));
  }

  /**
   * Hands SHUTDOWN to the extensions subscribed to it; resolves when each has exited or called `next` again. The
   * caller bounds the wait (Lambda gives extensions 2 s).
   */
  shutdown(reason: ShutdownReason, deadlineMs: number): Promise<void> {
    const event = { eventType: "SHUTDOWN", shutdownReason: reason, deadlineMs };
    for (const agent of this.#agents.values()) {
      if (agent.events.has("SHUTDOWN") && !agent.exited) this.#send(agent, event);
    }
    return this.settled();
  }

  /**
   * An external extension's process ended. Before init ends this fails it: `Extension.InitError` after an init
   * error, `Extension.ExitError` after an exit error, else `Extension.Crash`: the error type is returned.
   */
  exited(name: string): string {
    const agent = [...this.#agents.values()].find((item) => item.name === name && item.external);
    if (agent) {
      agent.exited = true;
      agent.waiting = null;
      agent.ready = true;
    }
    const errorType = agent?.errorType === "init"
      ? "Extension.InitError"
      : agent?.errorType === "exit"
      ? "Extension.ExitError"
      : "Extension.Crash";
    this.#check();
    return errorType;
  }

  /** Drops every parked request and stops telemetry. */
  close(): void {
    for (const agent of this.#agents.values()) agent.waiting = null;
    this.telemetry.close();
  }

  /** `POST /2020-01-01/extension/register`. */
  async register(req: Request): Promise<Response> {
    const name = req.headers.get("lambda-extension-name");
    const { body } = await readWhole(req, 64 * 1024);
    if (!name) return forbidden("Extension.InvalidExtensionName", "Empty extension name");
    const external = this.#external.has(name);
    const events = registrationEvents(body, name, external);
    if (events instanceof Response) return events;
    const known = [...this.#agents.values()].find((agent) => agent.name === name);
    if (known) {
      return forbidden(
        "Extension.InvalidExtensionState",
        `State transition from Registered to Registered failed for extension ${name}: it is already registered`,
      );
    }
    if (!this.#registrationOpen) {
      return forbidden("Extension.RegistrationClosed", "Extension registration closed already");
    }
    if (this.#agents.size >= MAX_EXTENSIONS) {
      return forbidden("Extension.TooManyExtensions", `Extension limit (${MAX_EXTENSIONS}) reached`);
    }
    const agent: ExtensionAgent = {
      id: crypto.randomUUID(),
      name,
      external,
      events: new Set(events),
      ready: false,
      queue: [],
      waiting: null,
      exited: false,
      errorType: null,
    };
    this.#agents.set(agent.id, agent);
    const { accountId, ...metadata } = this.#options.metadata;
    const features = (req.headers.get("lambda-extension-accept-feature") ?? "").split(",").map((item) =>
      item.trim()
    );
    const answer = features.includes("accountId") ? { ...metadata, accountId } : metadata;
    if (!this.#registered && [...this.#external].every((file) => this.#hasRegistered(file))) {
      this.#registered = true;
      this.#options.onRegistered?.();
    }
    return Response.json(answer, { headers: { "Lambda-Extension-Identifier": agent.id } });
  }

  /** `GET /2020-01-01/extension/event/next`. */
  next(req: Request): Response | Promise<Response> {
    const found = this.#agentOf(req);
    if (found instanceof Response) return found;
    const agent = found;
    agent.ready = true;
    const queued = agent.queue.shift();
    if (queued) {
      agent.ready = false;
      return eventResponse(queued);
    }
    this.#check();
    return new Promise((resolve) => {
      agent.waiting = (event) => resolve(eventResponse(event));
      req.signal.addEventListener("abort", () => {
        if (agent.waiting) agent.waiting = null;
      }, { once: true });
    });
  }

  /** `POST /2020-01-01/extension/init/error` and `/extension/exit/error`. */
  async error(req: Request, kind: "init" | "exit"): Promise<Response> {
    await readWhole(req, 1024 * 1024);
    const found = this.#agentOf(req);
    if (found instanceof Response) return found;
    const errorType = req.headers.get("lambda-extension-function-error-type");
    if (!errorType) {
      return forbidden("Extension.MissingHeader", "Lambda-Extension-Function-Error-Type not found");
    }
    if (kind === "init" && !this.#registrationOpen) {
      return forbidden(
        "Extension.InvalidExtensionState",
        `State transition to InitError failed for extension ${found.name}: init has ended`,
      );
    }
    found.errorType = kind;
    if (kind === "init") {
      this.#options.onInitFailure?.(
        "Extension.InitError",
        `Extension ${found.name} reported an init error: ${errorType}`,
      );
    }
    return accepted();
  }

  /** `PUT /2022-07-01/telemetry`. */
  async subscribe(req: Request): Promise<Response> {
    const { body } = await readWhole(req, 64 * 1024);
    const found = this.#agentOf(req);
    if (found instanceof Response) return found;
    const subscription = telemetrySubscription(body);
    if (subscription instanceof Response) return subscription;
    this.telemetry.subscribe(found.name, subscription);
    this.telemetry.emit("platform.telemetrySubscription", {
      name: found.name,
      state: "Subscribed",
      types: [...subscription.types],
    });
    return Response.json("OK");
  }

  #hasRegistered(name: string): boolean {
    return [...this.#agents.values()].some((agent) => agent.name === name);
  }

  #agentOf(req: Request): ExtensionAgent | Response {
    const id = req.headers.get(ID_HEADER);
    if (!id) {
      return forbidden("Extension.MissingExtensionIdentifier", "Missing Lambda-Extension-Identifier header");
    }
    const agent = this.#agents.get(id);
    if (agent) return agent;
    if (!/^[0-9a-f-]{36}$/i.test(id)) {
      return forbidden("Extension.InvalidExtensionIdentifier", "Invalid Lambda-Extension-Identifier");
    }
    return forbidden("Extension.UnknownExtensionIdentifier", `Unknown extension ${id}`);
  }

  #send(agent: ExtensionAgent, event: object): void {
    agent.ready = false;
    const waiting = agent.waiting;
    agent.waiting = null;
    if (waiting) waiting(event);
    else agent.queue.push(event);
  }

  #allReady(): boolean {
    for (const agent of this.#agents.values()) if (!agent.ready && !agent.exited) return false;
    return true;
  }

  #check(): void {
    if (!this.#allReady()) return;
    for (const resolve of this.#settled.splice(0)) resolve();
    if (this.#registered) this.#initDone?.();
  }
}
