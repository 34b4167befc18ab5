/** @module Who signed a request to an `AWS_IAM` HTTP trigger (a function URL or a route), when anyone did. */
import { type Keyring, type Principal, verifySignature } from "../auth/mod.ts";
import { LambdaError } from "../errors/mod.ts";

/** A request's verified signer, and its body as the signature check read it (null when it did not). */
export interface SignedCaller {
  /** The key that signed it. */
  principal: Principal;
  /** The body the signature covered. */
  body: Uint8Array | null;
}

/** The signer of `request`, or null when it is unsigned or its signature does not hold. */
export async function signedCaller(
  deps: { keyring: Keyring; region: string },
  request: Request,
): Promise<SignedCaller | null> {
  try {
    return await verifySignature(request, { keyring: deps.keyring, region: deps.region });
  } catch (error) {
    if (error instanceof LambdaError) return null;
    throw error;
  }
}
