/** @module In-memory holds on code: running workers and uploads not yet saved keep their code from collection. */

/** Counts the holders of each code by hex SHA-256; held code is never collected. */
export class CodeHolds {
  readonly #counts = new Map<string, number>();
  readonly #onFree: (sha256: string) => void;

  /** `onFree` is called each time the last hold on some code is released. */
  constructor(onFree: (sha256: string) => void = () => {}) {
    this.#onFree = onFree;
  }

  /** Holds the code of `sha256` until the returned function is called (calling it again does nothing). */
  hold(sha256: string): () => void {
    this.#counts.set(sha256, (this.#counts.get(sha256) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#counts.get(sha256) ?? 1) - 1;
      if (left > 0) {
        this.#counts.set(sha256, left);
        return;
      }
      this.#counts.delete(sha256);
      this.#onFree(sha256);
    };
  }

  /** Whether anything holds the code of `sha256`. */
  isHeld(sha256: string): boolean {
    return this.#counts.has(sha256);
  }

  /** A new lease: holds taken for one piece of work, released together. */
  lease(): CodeLease {
    return new CodeLease(this);
  }
}

/**
 * The holds of one request on the code it stores or names, from upload until a version or deployment records
 * it: {@linkcode CodeLease.release} them once that is written (or has failed), in a `finally`.
 */
export class CodeLease {
  readonly #holds: CodeHolds;
  readonly #releases = new Map<string, () => void>();

  constructor(holds: CodeHolds) {
    this.#holds = holds;
  }

  /** Holds the code of `sha256` for this lease (once, however often it is asked). */
  hold(sha256: string): void {
    if (!this.#releases.has(sha256)) this.#releases.set(sha256, this.#holds.hold(sha256));
  }

  /** Releases every hold of this lease. */
  release(): void {
    for (const release of this.#releases.values()) release();
    this.#releases.clear();
  }
}
