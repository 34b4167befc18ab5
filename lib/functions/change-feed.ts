/** @module Tells the parts that follow functions' settings (topics, schedules, routes) that a function changed. */

/** Called with the name of a function whose stored state changed (created, updated, published, deleted, deployed). */
export type ChangeListener = (functionName: string) => void;

/** The listeners of function changes. */
export class ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();

  /** Calls `listener` after every change; returns what removes it. */
  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener that `functionName` changed; a listener that throws does not stop the others. */
  publish(functionName: string): void {
    for (const listener of this.#listeners) {
      try {
        listener(functionName);
      } catch (error) {
        console.error(`lambdalet: after a change to ${functionName}:`, error);
      }
    }
  }
}
