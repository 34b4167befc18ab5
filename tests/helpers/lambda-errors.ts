/** @module Asserts that a response is a Lambda service error of a given name and status. */
import { expect } from "bun:test";

/** The JSON body of a Lambda service error. */
export interface ServiceError {
  Type: string;
  message: string;
  Reason?: string;
}

/** Checks status, `x-amzn-ErrorType`, JSON content type and body shape; returns the body. */
export async function expectLambdaError(
  response: Response,
  status: number,
  type: string,
): Promise<ServiceError> {
  expect({ status: response.status, type: response.headers.get("x-amzn-errortype") }).toEqual({
    status,
    type,
  });
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = await response.json() as ServiceError;
  expect(body.Type).toBe(status >= 500 ? "Service" : "User");
  expect(body.message.length).toBeGreaterThan(0);
  return body;
}
