package lambdalet.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The Lambda Runtime API (2018-06-01) over HttpURLConnection, which keeps the connection to the agent alive. */
final class RuntimeClient {
    private final String base;

    RuntimeClient(String address) {
        this.base = "http://" + address + "/2018-06-01/runtime";
    }

    /** Waits for the next event (a long poll). */
    Invocation next() throws IOException {
        HttpURLConnection connection = open("/invocation/next");
        int status = connection.getResponseCode();
        if (status != 200) {
            drain(connection);
            throw new IOException("GET /invocation/next answered " + status);
        }
        Map<String, String> headers = new HashMap<>();
        for (Map.Entry<String, List<String>> entry : connection.getHeaderFields().entrySet()) {
            if (entry.getKey() != null && !entry.getValue().isEmpty()) {
                headers.put(entry.getKey().toLowerCase(java.util.Locale.ROOT), entry.getValue().get(0));
            }
        }
        byte[] body;
        try (InputStream in = connection.getInputStream()) {
            body = in.readAllBytes();
        }
        return new Invocation(headers, body);
    }

    /** Posts a response. */
    void respond(String requestId, byte[] body) throws IOException {
        post("/invocation/" + requestId + "/response", body, null);
    }

    /** Posts an invocation's error. */
    void fail(String requestId, Failure failure) throws IOException {
        post("/invocation/" + requestId + "/error", failure.body().getBytes(StandardCharsets.UTF_8), failure.errorType);
    }

    /** Posts an init error. */
    void failInit(Failure failure) throws IOException {
        post("/init/error", failure.body().getBytes(StandardCharsets.UTF_8), failure.errorType);
    }

    private HttpURLConnection open(String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(base + path).openConnection(Proxy.NO_PROXY);
        connection.setReadTimeout(0);
        connection.setUseCaches(false);
        return connection;
    }

    private void post(String path, byte[] body, String errorType) throws IOException {
        HttpURLConnection connection = open(path);
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
        connection.setRequestProperty("Content-Type", "application/json");
        if (errorType != null) connection.setRequestProperty("Lambda-Runtime-Function-Error-Type", errorType);
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
        }
        connection.getResponseCode();
        drain(connection);
    }

    /** Reads what is left of an answer, so that the connection can be used again. */
    private static void drain(HttpURLConnection connection) throws IOException {
        InputStream in = connection.getErrorStream();
        if (in == null) {
            try {
                in = connection.getInputStream();
            } catch (IOException e) {
                return;
            }
        }
        try (InputStream stream = in) {
            stream.readAllBytes();
        }
    }
}
