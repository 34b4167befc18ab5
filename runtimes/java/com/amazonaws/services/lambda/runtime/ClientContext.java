package com.amazonaws.services.lambda.runtime;

import java.util.Map;

/** The client context a caller sends with an invocation (`X-Amz-Client-Context`). */
public interface ClientContext {
    /** The calling application. */
    Client getClient();

    /** The caller's own values. */
    Map<String, String> getCustom();

    /** The caller's environment (platform, locale...). */
    Map<String, String> getEnvironment();
}
