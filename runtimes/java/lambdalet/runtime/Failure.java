package lambdalet.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An error as Lambda's Java runtime reports it: `errorType` (the exception's class name), `errorMessage`, and for
 * exceptions a `stackTrace` of frames (the runtime's own frames cut off); plus the text it writes to the log.
 */
final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    private static final String OWN_PACKAGE = Failure.class.getPackage().getName() + ".";

    final String errorType;
    final String errorMessage;
    /** Frames, or null when the runtime reports none (a class not found, a bad handler). */
    final List<String> stackTrace;
    /** The full trace for the log, or null. */
    final String trace;

    private Failure(String errorType, String errorMessage, List<String> stackTrace, String trace) {
        super(errorMessage);
        this.errorType = errorType;
        this.errorMessage = errorMessage;
        this.stackTrace = stackTrace;
        this.trace = trace;
    }

    /** A failure with no exception behind it (a bad handler setting). */
    static Failure of(String errorType, String errorMessage) {
        return new Failure(errorType, errorMessage, null, null);
    }

    /** A failure of the runtime's own making about `cause` (a class not found): the cause's type, no frames. */
    static Failure about(Throwable cause, String errorMessage) {
        return new Failure(cause.getClass().getName(), errorMessage, null, trace(cause));
    }

    /** The report of an exception the function threw. */
    static Failure from(Throwable thrown) {
        cut(thrown, new ArrayList<>());
        String message = thrown.getLocalizedMessage() == null ? thrown.getClass().getName() : thrown.getLocalizedMessage();
        List<String> frames = new ArrayList<>();
        for (StackTraceElement frame : thrown.getStackTrace()) frames.add(frame.toString());
        return new Failure(thrown.getClass().getName(), message, frames, trace(thrown));
    }

    /** Drops the frames from the first of this runtime's own on, in the exception and its causes. */
    private static void cut(Throwable thrown, List<Throwable> seen) {
        if (thrown == null || seen.contains(thrown)) return;
        seen.add(thrown);
        StackTraceElement[] frames = thrown.getStackTrace();
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].getClassName().startsWith(OWN_PACKAGE)) {
                StackTraceElement[] kept = new StackTraceElement[i];
                System.arraycopy(frames, 0, kept, 0, i);
                thrown.setStackTrace(kept);
                break;
            }
        }
        cut(thrown.getCause(), seen);
        for (Throwable suppressed : thrown.getSuppressed()) cut(suppressed, seen);
    }

    private static String trace(Throwable thrown) {
        StringWriter out = new StringWriter();
        thrown.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    /** The error JSON posted to the Runtime API. */
    String body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errorMessage", errorMessage);
        body.put("errorType", errorType);
        if (stackTrace != null) body.put("stackTrace", stackTrace);
        return Json.write(body);
    }

    /** What the log shows: `message: type`, then the trace. */
    String logText() {
        return trace == null ? errorMessage : errorMessage + ": " + errorType + "\n" + trace;
    }
}
