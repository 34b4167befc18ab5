package com.amazonaws.services.lambda.runtime;

/** What a handler learns about its invocation and function; lambdalet's runtime answers it. */
public interface Context {
    /** The id of this invocation. */
    String getAwsRequestId();

    /** The log group of the function, `/aws/lambda/<name>`. */
    String getLogGroupName();

    /** The log stream of this worker. */
    String getLogStreamName();

    /** The function's name. */
    String getFunctionName();

    /** The version that runs (`$LATEST` or a number). */
    String getFunctionVersion();

    /** The ARN the caller invoked, with its qualifier when it gave one. */
    String getInvokedFunctionArn();

    /** The Cognito identity of the caller, or null. */
    CognitoIdentity getIdentity();

    /** The client context the caller sent, or null. */
    ClientContext getClientContext();

    /** Milliseconds left before the invocation times out. */
    int getRemainingTimeInMillis();

    /** The function's memory setting in MB. */
    int getMemoryLimitInMB();

    /** A logger whose lines reach the function's log. */
    LambdaLogger getLogger();
}
