package com.amazonaws.services.lambda.runtime;

/** The application that made the call, from the client context. */
public interface Client {
    /** The installation id. */
    String getInstallationId();

    /** The application's title. */
    String getAppTitle();

    /** The application's version name. */
    String getAppVersionName();

    /** The application's version code. */
    String getAppVersionCode();

    /** The application's package name. */
    String getAppPackageName();
}
