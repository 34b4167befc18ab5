package lambdalet.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The function's handler: `package.Class::method`, or `package.Class` for its `handleRequest` (a `RequestHandler`,
 * a `RequestStreamHandler`, or any public method of that name). Methods take at most (input, Context) or
 * (InputStream, OutputStream, Context); the input is read from the event's JSON into the declared type, the result
 * written as JSON, unless the handler writes its own bytes to the OutputStream.
 */
final class Handler {
    private static final String CONTEXT = "com.amazonaws.services.lambda.runtime.Context";

    private enum Role { INPUT, CONTEXT, IN_STREAM, OUT_STREAM }

    private final Method method;
    private final Object instance;
    private final Role[] roles;
    private final boolean binary;

    private Handler(Method method, Object instance, Role[] roles, boolean binary) {
        this.method = method;
        this.instance = instance;
        this.roles = roles;
        this.binary = binary;
    }

    /** Loads the class named by `spec` with `loader`, finds its method and creates its instance, as the init phase. */
    static Handler load(String spec, ClassLoader loader, boolean binary) throws Failure {
        int colons = spec.lastIndexOf("::");
        String className = colons < 0 ? spec : spec.substring(0, colons);
        String methodName = colons < 0 ? "handleRequest" : spec.substring(colons + 2);
        if (className.isEmpty() || methodName.isEmpty()) {
            throw Failure.of("Runtime.MalformedHandlerName", "Invalid handler: `" + spec + "'");
        }
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw Failure.about(e, "Class not found: " + className);
        } catch (Throwable e) {
            // a static initializer that threw (ExceptionInInitializerError), a class that does not link
            Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
            String message = "Error loading class " + className + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            throw Failure.about(cause, message);
        }
        Method method = pick(type, methodName);
        if (method == null) {
            throw Failure.of("Runtime.HandlerNotFound", "No public method named " + methodName
                + " with appropriate method signature found on class " + className);
        }
        Object instance = Modifier.isStatic(method.getModifiers()) ? null : create(type);
        try {
            method.setAccessible(true);
        } catch (RuntimeException e) {
            // a public method of a public class needs no help
        }
        return new Handler(method, instance, roles(method), binary);
    }

    private static Object create(Class<?> type) throws Failure {
        try {
            Constructor<?> constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw Failure.from(e.getCause());
        } catch (NoSuchMethodException e) {
            throw Failure.of("Runtime.HandlerNotFound", "Class " + type.getName()
                + " has no constructor without arguments: make the handler method static or add one");
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw Failure.from(e);
        }
    }

    /** The public method `name` of `type` with a signature the runtime can call, preferring streams, then more arguments. */
    private static Method pick(Class<?> type, String name) {
        List<Method> candidates = new ArrayList<>();
        for (Method method : type.getMethods()) {
            if (!method.getName().equals(name) || method.isBridge() || method.isSynthetic()) continue;
            if (roles(method) != null) candidates.add(method);
        }
        candidates.sort(Comparator.comparingInt(Handler::rank).reversed().thenComparing(Method::toGenericString));
        return candidates.isEmpty() ? null : candidates.get(0);
    }

    private static int rank(Method method) {
        Role[] roles = roles(method);
        boolean streams = roles.length > 0 && roles[0] == Role.IN_STREAM;
        return (streams ? 10 : 0) + roles.length;
    }

    /** What each parameter of `method` receives, or null when the runtime cannot call it. */
    private static Role[] roles(Method method) {
        Class<?>[] types = method.getParameterTypes();
        Role[] roles = new Role[types.length];
        for (int i = 0; i < types.length; i++) {
            roles[i] = types[i].getName().equals(CONTEXT) ? Role.CONTEXT
                : types[i] == InputStream.class ? Role.IN_STREAM
                : types[i] == OutputStream.class ? Role.OUT_STREAM
                : Role.INPUT;
        }
        String shape = java.util.Arrays.toString(roles);
        switch (shape) {
            case "[]":
            case "[INPUT]":
            case "[CONTEXT]":
            case "[INPUT, CONTEXT]":
            case "[IN_STREAM, OUT_STREAM]":
            case "[IN_STREAM, OUT_STREAM, CONTEXT]":
                return roles;
            default:
                return null;
        }
    }

    /** Runs one invocation; returns the response bytes, or throws what the handler threw. */
    byte[] invoke(Invocation invocation) throws Throwable {
        Object[] args = new Object[roles.length];
        ByteArrayOutputStream output = null;
        Class<?>[] types = method.getParameterTypes();
        Type[] generic = method.getGenericParameterTypes();
        for (int i = 0; i < roles.length; i++) {
            switch (roles[i]) {
                case CONTEXT:
                    args[i] = invocation.context(types[i]);
                    break;
                case IN_STREAM:
                    args[i] = new ByteArrayInputStream(invocation.body);
                    break;
                case OUT_STREAM:
                    output = new ByteArrayOutputStream();
                    args[i] = output;
                    break;
                default:
                    args[i] = input(invocation.body, types[i], generic[i]);
            }
        }
        Object result;
        try {
            result = method.invoke(instance, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (output != null) return output.toByteArray();
        if (binary && result instanceof byte[]) return (byte[]) result;
        try {
            return Json.write(result).getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            throw new RuntimeException("An error occurred during JSON serialization of response", e);
        }
    }

    private Object input(byte[] body, Class<?> type, Type generic) {
        if (type == byte[].class && binary) return body;
        String text = new String(body, StandardCharsets.UTF_8);
        if (binary && type == String.class) return text;
        try {
            return Mapper.convert(text.trim().isEmpty() ? null : Json.parse(text), generic);
        } catch (RuntimeException e) {
            throw new RuntimeException("An error occurred during JSON parsing", e);
        }
    }
}
