package lambdalet.runtime;

import java.io.PrintStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One invocation as the Runtime API handed it over, and the `Context` a handler gets for it. The context and the
 * objects it returns (`LambdaLogger`, `ClientContext`, `Client`, `CognitoIdentity`) are proxies of the interfaces the
 * handler was compiled against, whichever jar they came from, answered by method name.
 */
final class Invocation {
    private static final String FUNCTION_NAME = env("AWS_LAMBDA_FUNCTION_NAME", "");
    private static final String FUNCTION_VERSION = env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    private static final String LOG_GROUP = env("AWS_LAMBDA_LOG_GROUP_NAME", "");
    private static final String LOG_STREAM = env("AWS_LAMBDA_LOG_STREAM_NAME", "");
    private static final int MEMORY_MB = memory();

    final String requestId;
    final long deadlineMs;
    final String functionArn;
    final String traceId;
    final byte[] body;
    private final Map<?, ?> clientContext;
    private final Map<?, ?> identity;

    Invocation(Map<String, String> headers, byte[] body) {
        this.requestId = headers.getOrDefault("lambda-runtime-aws-request-id", "");
        this.deadlineMs = parseLong(headers.get("lambda-runtime-deadline-ms"));
        this.functionArn = headers.getOrDefault("lambda-runtime-invoked-function-arn", "");
        this.traceId = headers.get("lambda-runtime-trace-id");
        this.body = body;
        this.clientContext = jsonObject(headers.get("lambda-runtime-client-context"));
        this.identity = jsonObject(headers.get("lambda-runtime-cognito-identity"));
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }

    private static int memory() {
        try {
            return Integer.parseInt(env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"));
        } catch (NumberFormatException e) {
            return 128;
        }
    }

    private static long parseLong(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<?, ?> jsonObject(String text) {
        if (text == null || text.isEmpty()) return null;
        try {
            Object parsed = Json.parse(text);
            return parsed instanceof Map ? (Map<?, ?>) parsed : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A `Context` implementing `type` (the handler's parameter type). */
    Object context(Class<?> type) {
        Map<String, Object> answers = new LinkedHashMap<>();
        answers.put("getAwsRequestId", requestId);
        answers.put("getLogGroupName", LOG_GROUP);
        answers.put("getLogStreamName", LOG_STREAM);
        answers.put("getFunctionName", FUNCTION_NAME);
        answers.put("getFunctionVersion", FUNCTION_VERSION);
        answers.put("getInvokedFunctionArn", functionArn);
        answers.put("getMemoryLimitInMB", MEMORY_MB);
        answers.put("getXrayTraceId", traceId);
        answers.put("getTenantId", null);
        return proxy(type, "Context", (proxy, method, args) -> {
            switch (method.getName()) {
                case "getRemainingTimeInMillis":
                    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, deadlineMs - System.currentTimeMillis()));
                case "getLogger":
                    return proxy(method.getReturnType(), "LambdaLogger", Invocation::log);
                case "getClientContext":
                    return clientContext == null ? null : clientContextProxy(method.getReturnType());
                case "getIdentity":
                    return identity == null ? null : fields(method.getReturnType(), "CognitoIdentity", identity,
                        new String[] {"getIdentityId", "cognitoIdentityId", "getIdentityPoolId", "cognitoIdentityPoolId"});
                default:
                    return answers.get(method.getName());
            }
        });
    }

    private Object clientContextProxy(Class<?> type) {
        return proxy(type, "ClientContext", (proxy, method, args) -> {
            switch (method.getName()) {
                case "getClient":
                    Object client = clientContext.get("client");
                    return client instanceof Map ? fields(method.getReturnType(), "Client", (Map<?, ?>) client,
                        new String[] {
                            "getInstallationId", "installation_id", "getAppTitle", "app_title",
                            "getAppVersionName", "app_version_name", "getAppVersionCode", "app_version_code",
                            "getAppPackageName", "app_package_name",
                        }) : null;
                case "getCustom":
                    return strings(clientContext.get("custom"));
                case "getEnvironment":
                    return strings(clientContext.get("env"));
                default:
                    return null;
            }
        });
    }

    /** A proxy whose getters answer members of `data`: `pairs` is getter, member, getter, member... */
    private static Object fields(Class<?> type, String what, Map<?, ?> data, String[] pairs) {
        Map<String, String> members = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) members.put(pairs[i], pairs[i + 1]);
        return proxy(type, what, (proxy, method, args) -> {
            String member = members.get(method.getName());
            Object value = member == null ? null : data.get(member);
            return value == null ? null : value.toString();
        });
    }

    private static Map<String, String> strings(Object value) {
        if (!(value instanceof Map)) return null;
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
            Object item = entry.getValue();
            map.put(String.valueOf(entry.getKey()), item instanceof String || item == null ? (String) item : Json.write(item));
        }
        return Collections.unmodifiableMap(map);
    }

    private static Object proxy(Class<?> type, String what, InvocationHandler answer) {
        if (!type.isInterface()) return null;
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) return objectMethod(proxy, method, args, what);
            Object value = answer.invoke(proxy, method, args);
            return value == null ? zero(method.getReturnType()) : value;
        });
    }

    /** What a proxy method answers for an unknown value: null, or zero for primitive results. */
    private static Object zero(Class<?> type) {
        if (!type.isPrimitive() || type == void.class) return null;
        if (type == boolean.class) return false;
        if (type == char.class) return '\0';
        if (type == long.class) return 0L;
        if (type == double.class) return 0.0;
        if (type == float.class) return 0.0f;
        if (type == short.class) return (short) 0;
        if (type == byte.class) return (byte) 0;
        return 0;
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args, String what) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return "lambdalet " + what;
        }
    }

    /** `LambdaLogger.log(String)` and `log(byte[])` (and overloads with a level): one line of the function's log. */
    private static Object log(Object proxy, Method method, Object[] args) {
        if (!method.getName().equals("log") || args == null || args.length == 0) return null;
        Object message = args[0];
        String text = message instanceof byte[] ? new String((byte[]) message, StandardCharsets.UTF_8) : String.valueOf(message);
        PrintStream out = System.out;
        synchronized (out) {
            out.print(text.endsWith("\n") ? text : text + "\n");
            out.flush();
        }
        return null;
    }
}
