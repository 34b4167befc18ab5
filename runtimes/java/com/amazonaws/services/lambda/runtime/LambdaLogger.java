package com.amazonaws.services.lambda.runtime;

/** Writes to the function's log. */
public interface LambdaLogger {
    /** Writes one message. */
    void log(String message);

    /** Writes one message given as UTF-8 bytes. */
    void log(byte[] message);
}
