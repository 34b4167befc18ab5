/** @module Function URLs: Create/Get/Update/Delete/List FunctionUrlConfig, and finding the URL a request names. */
import type { CreateFunctionUrlInput, UpdateFunctionUrlInput } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import type { FunctionUrlRecord, Page } from "../store/mod.ts";
import { functionArn, type FunctionRef } from "./arn.ts";
import type { ControlPlaneDeps } from "./deps.ts";
import { functionNotFound, isVersionQualifier, requireFunction } from "./resolve.ts";

type UrlDeps = Pick<ControlPlaneDeps, "store" | "region" | "accountId">;

/** A new url id: 32 lowercase letters and digits, as Lambda's. */
function newUrlId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join("");
}

/** The function URLs of every function. */
export class FunctionUrls {
  readonly #deps: UrlDeps;

  constructor(deps: UrlDeps) {
    this.#deps = deps;
  }

  /** Gives the function (or its alias `ref.qualifier`) a URL. */
  create(ref: FunctionRef, input: CreateFunctionUrlInput): FunctionUrlRecord {
    const qualifier = this.#target(ref);
    const now = new Date().toISOString();
    return this.#deps.store.functionUrls.create({
      functionName: ref.name,
      qualifier,
      urlId: newUrlId(),
      authType: input.AuthType,
      cors: input.Cors ?? null,
      invokeMode: input.InvokeMode,
      createdAt: now,
      lastModifiedAt: now,
    });
  }

  /** The URL of the function (or alias). */
  get(ref: FunctionRef): FunctionUrlRecord {
    const qualifier = this.#target(ref);
    const found = this.#deps.store.functionUrls.get(ref.name, qualifier);
    if (!found) throw this.#notFound(ref);
    return found;
  }

  /** Changes a URL's auth type, CORS or invoke mode (its address stays). */
  update(ref: FunctionRef, input: UpdateFunctionUrlInput): FunctionUrlRecord {
    const qualifier = this.#target(ref);
    const updated = this.#deps.store.functionUrls.update(ref.name, qualifier, (current) => ({
      ...current,
      authType: input.AuthType ?? current.authType,
      cors: input.Cors ?? current.cors,
      invokeMode: input.InvokeMode ?? current.invokeMode,
      lastModifiedAt: new Date().toISOString(),
    }));
    if (!updated) throw this.#notFound(ref);
    return updated;
  }

  /** Deletes a URL: its address stops answering at once. */
  delete(ref: FunctionRef): void {
    const qualifier = this.#target(ref);
    if (!this.#deps.store.functionUrls.delete(ref.name, qualifier)) throw this.#notFound(ref);
  }

  /** A page of the URLs of a function. */
  list(name: string, marker: string | undefined, maxItems: number): Page<FunctionUrlRecord> {
    requireFunction(this.#deps, name);
    return this.#deps.store.functionUrls.list(name, marker, maxItems);
  }

  /** The URL `urlId` names, or null (also when its function or alias is gone). */
  find(urlId: string): FunctionUrlRecord | null {
    return /^[a-z0-9]{32}$/.test(urlId) ? this.#deps.store.functionUrls.byId(urlId) : null;
  }

  /** Every URL, for status. */
  all(): FunctionUrlRecord[] {
    return this.#deps.store.functionUrls.all();
  }

  /** The stored qualifier of `ref` ("" for none), checking that the function and alias exist. */
  #target(ref: FunctionRef): string {
    if (ref.qualifier !== undefined && isVersionQualifier(ref.qualifier)) {
      throw new LambdaError(
        "InvalidParameterValueException",
        `A function URL can only be given to the function or one of its aliases, not to version ${ref.qualifier}`,
      );
    }
    requireFunction(this.#deps, ref.name);
    if (ref.qualifier !== undefined && !this.#deps.store.aliases.get(ref.name, ref.qualifier)) {
      throw functionNotFound(this.#deps, ref);
    }
    return ref.qualifier ?? "";
  }

  #notFound(ref: FunctionRef): LambdaError {
    return new LambdaError(
      "ResourceNotFoundException",
      `The resource you requested does not exist: ${
        functionArn(this.#deps.region, this.#deps.accountId, ref.name, ref.qualifier)
      } has no function URL`,
    );
  }
}
