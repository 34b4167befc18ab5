/** @module The shape of a sample event generator. */

/** Values given on the command line, by flag name. */
export type SampleOptions = Readonly<Record<string, string | undefined>>;

/** One kind of sample event, such as an S3 put. */
export interface SampleEvent {
  /** One line for `lambdalet events list`. */
  description: string;
  /** The flags it takes, with what each sets. */
  flags: Readonly<Record<string, string>>;
  /** Builds the event. */
  generate(options: SampleOptions, context: SampleContext): unknown;
}

/** Facts every generator may use. */
export interface SampleContext {
  /** The region named in ARNs. */
  region: string;
  /** The account id named in ARNs. */
  accountId: string;
  /** The time the event claims. */
  now: Date;
}

/** Thrown for an unknown source, kind or flag, or a bad flag value; the message names what is accepted. */
export class SampleEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SampleEventError";
  }
}

/** Reads a whole-number flag, or its default. */
export function wholeNumberOption(options: SampleOptions, flag: string, fallback: number): number {
  const value = options[flag];
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) {
    throw new SampleEventError(`--${flag} must be a whole number: current value is '${value}'`);
  }
  return Number(value);
}
