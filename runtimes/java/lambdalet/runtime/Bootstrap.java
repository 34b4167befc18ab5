package lambdalet.runtime;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * lambdalet's Java runtime: loads the handler from the function's code (its root, `lib/*.jar`, then the layers'
 * `/opt/java/lib/*.jar`, then the Lambda interfaces this runtime provides, so a function bringing
 * aws-lambda-java-core uses its own), then loops on the Lambda Runtime API (2018-06-01).
 */
public final class Bootstrap {
    private Bootstrap() {}

    /**
     * Runs the worker; `-Dlambdalet.core=DIR` names the folder of the provided Lambda interfaces, `-Dlambdalet.opt=DIR`
     * the layers' folder (/opt in a container).
     */
    public static void main(String[] args) {
        RuntimeClient client = new RuntimeClient(Invocation.env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"));
        boolean binary = "binary".equals(System.getenv("LAMBDALET_PAYLOAD_ENCODING"));
        Handler handler;
        try {
            ClassLoader loader = functionLoader(Invocation.env("LAMBDA_TASK_ROOT", "."),
                System.getProperty("lambdalet.opt", "/opt"), System.getProperty("lambdalet.core"));
            Thread.currentThread().setContextClassLoader(loader);
            handler = Handler.load(Invocation.env("_HANDLER", ""), loader, binary);
        } catch (Failure failure) {
            log(failure.logText());
            try {
                client.failInit(failure);
            } catch (IOException e) {
                // the agent is gone: nothing to tell
            }
            System.exit(1);
            return;
        }
        while (true) {
            Invocation invocation;
            try {
                invocation = client.next();
            } catch (IOException e) {
                System.exit(1); // the agent is gone
                return;
            }
            if (invocation.traceId == null) {
                System.clearProperty("com.amazonaws.xray.traceHeader");
            } else {
                System.setProperty("com.amazonaws.xray.traceHeader", invocation.traceId);
            }
            try {
                byte[] response;
                try {
                    response = handler.invoke(invocation);
                } catch (Throwable thrown) {
                    Failure failure = Failure.from(thrown);
                    log(failure.logText());
                    client.fail(invocation.requestId, failure);
                    if (thrown instanceof VirtualMachineError) System.exit(1);
                    continue;
                }
                client.respond(invocation.requestId, response);
            } catch (IOException e) {
                System.exit(1);
                return;
            }
        }
    }

    /** The function's class loader: its code, its jars, the layers' jars, the provided interfaces, nothing of this runtime. */
    static ClassLoader functionLoader(String taskRoot, String optDir, String coreDir) {
        List<URL> urls = new ArrayList<>();
        try {
            urls.add(new File(taskRoot).toURI().toURL());
            urls.addAll(jars(new File(taskRoot, "lib")));
            urls.addAll(jars(new File(optDir, "java/lib")));
            if (coreDir != null) urls.add(new File(coreDir).toURI().toURL());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    private static List<URL> jars(File dir) throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        String[] names = dir.list((parent, name) -> name.endsWith(".jar") && name.length() > 4);
        if (names == null) return urls;
        Arrays.sort(names);
        for (String name : names) urls.add(new File(dir, name).toURI().toURL());
        return urls;
    }

    private static void log(String text) {
        PrintStream out = System.out;
        synchronized (out) {
            out.print(text.endsWith("\n") ? text : text + "\n");
            out.flush();
        }
    }
}
