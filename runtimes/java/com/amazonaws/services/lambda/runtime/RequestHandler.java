package com.amazonaws.services.lambda.runtime;

/** A handler whose input is read from the event's JSON into I and whose output O is written as JSON. */
public interface RequestHandler<I, O> {
    /** Handles one invocation. */
    O handleRequest(I input, Context context);
}
