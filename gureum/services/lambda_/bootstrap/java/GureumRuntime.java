// gureum's Java runtime: the Lambda Runtime API loop for `package.Class::method` and `package.Class` handlers.
// Compiled once by gureum with the machine's JDK (only the JDK is used). Like AWS's runtime interface client: the
// user's code (LAMBDA_TASK_ROOT, its lib/*.jar, the layers' /opt/java/lib/*.jar) in a class loader of its own;
// handlers implementing aws-lambda-java-core's RequestHandler / RequestStreamHandler (the interfaces come from the
// user's jar, so they are found by name and called reflectively) or plain POJO methods taking (input[, Context]) or
// (InputStream, OutputStream[, Context]); the Context (and its LambdaLogger) as dynamic proxies of the user's
// interfaces; JSON (de)serialisation of POJOs (public fields or bean getters and setters), of maps, lists, strings,
// numbers and booleans. Errors go back as {errorMessage, errorType, stackTrace}.

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class GureumRuntime {
    private static final String CORE = "com.amazonaws.services.lambda.runtime.";
    private static String api;
    private static final PrintStream OUT = System.out;

    public static void main(String[] args) throws Exception {
        api = "http://" + System.getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime";
        Handler handler;
        try {
            handler = Handler.load(System.getenv("_HANDLER"), loader());
        } catch (Throwable error) {
            Throwable cause = unwrap(error);
            String type = cause instanceof HandlerNotFound ? "Runtime.HandlerNotFound" : cause.getClass().getName();
            String doc = errorDoc(cause, type);
            OUT.println(doc);
            post("/init/error", doc.getBytes(StandardCharsets.UTF_8), type);
            System.exit(1);
            return;
        }
        while (true) {
            HttpURLConnection next = (HttpURLConnection) new URL(api + "/invocation/next").openConnection();
            next.setReadTimeout(0);
            byte[] event = readAll(next.getInputStream());
            String requestId = next.getHeaderField("Lambda-Runtime-Aws-Request-Id");
            String trace = next.getHeaderField("Lambda-Runtime-Trace-Id");
            if (trace != null) {
                System.setProperty("com.amazonaws.xray.traceHeader", trace);
            }
            long deadline = Long.parseLong(orElse(next.getHeaderField("Lambda-Runtime-Deadline-Ms"), "0"));
            String arn = next.getHeaderField("Lambda-Runtime-Invoked-Function-Arn");
            try {
                byte[] out = handler.invoke(event, new ContextHandler(requestId, arn, deadline));
                post("/invocation/" + requestId + "/response", out, null);
            } catch (Throwable error) {
                Throwable cause = unwrap(error);
                String doc = errorDoc(cause, cause.getClass().getName());
                OUT.println(doc);
                post("/invocation/" + requestId + "/error", doc.getBytes(StandardCharsets.UTF_8), "Unhandled");
            }
        }
    }

    static ClassLoader loader() throws Exception {
        List<URL> urls = new ArrayList<>();
        String root = orElse(System.getenv("LAMBDA_TASK_ROOT"), ".");
        urls.add(new File(root).toURI().toURL());
        for (String folder : new String[] {root + "/lib", System.getenv("GUREUM_OPT") + "/java/lib"}) {
            File[] jars = new File(folder).listFiles((dir, name) -> name.endsWith(".jar"));
            if (jars != null) {
                java.util.Arrays.sort(jars);
                for (File jar : jars) {
                    urls.add(jar.toURI().toURL());
                }
            }
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        return loader;
    }

    static Throwable unwrap(Throwable error) {
        while ((error instanceof InvocationTargetException || error instanceof ExceptionInInitializerError)
                && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    static String orElse(String value, String fallback) {
        return value == null ? fallback : value;
    }

    static byte[] readAll(InputStream in) throws Exception {
        try (InputStream stream = in) {
            return stream.readAllBytes();
        }
    }

    static void post(String path, byte[] body, String errorType) throws Exception {
        HttpURLConnection conn = (HttpURLConnection) new URL(api + path).openConnection();
        conn.setRequestMethod("POST");
        conn.setDoOutput(true);
        conn.setFixedLengthStreamingMode(body.length);
        conn.setRequestProperty("Content-Type", "application/json");
        if (errorType != null) {
            conn.setRequestProperty("Lambda-Runtime-Function-Error-Type", errorType);
        }
        try (OutputStream out = conn.getOutputStream()) {
            out.write(body);
        }
        InputStream answer = conn.getResponseCode() >= 400 ? conn.getErrorStream() : conn.getInputStream();
        if (answer != null) {
            readAll(answer);
        }
    }

    static String errorDoc(Throwable error, String type) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("errorMessage", error.getMessage() == null ? error.toString() : error.getMessage());
        doc.put("errorType", type);
        List<Object> stack = new ArrayList<>();
        for (StackTraceElement frame : error.getStackTrace()) {
            stack.add(frame.toString());
        }
        doc.put("stackTrace", stack);
        return Json.write(doc);
    }

    static final class HandlerNotFound extends Exception {
        HandlerNotFound(String message) {
            super(message);
        }
    }

    /** The user's handler: its object, method and how input and output are mapped. */
    static final class Handler {
        final Object target;
        final Method method;
        final boolean streams;
        final Type input;
        final boolean takesContext;
        final ClassLoader loader;

        Handler(Object target, Method method, boolean streams, Type input, boolean takesContext, ClassLoader loader) {
            this.target = target;
            this.method = method;
            this.streams = streams;
            this.input = input;
            this.takesContext = takesContext;
            this.loader = loader;
        }

        static Handler load(String spec, ClassLoader loader) throws Exception {
            if (spec == null || spec.isEmpty()) {
                throw new HandlerNotFound("No handler configured");
            }
            String className = spec.contains("::") ? spec.substring(0, spec.indexOf("::")) : spec;
            String methodName = spec.contains("::") ? spec.substring(spec.indexOf("::") + 2) : "handleRequest";
            Class<?> type;
            try {
                type = Class.forName(className, true, loader);
            } catch (ClassNotFoundException missing) {
                throw new HandlerNotFound("Class not found: " + className);
            }
            Object target = null;
            Method chosen = null;
            for (Method method : type.getMethods()) {
                if (!method.getName().equals(methodName) || method.isBridge()) {
                    continue;
                }
                if (chosen == null || method.getParameterCount() > chosen.getParameterCount()) {
                    chosen = method;
                }
            }
            if (chosen == null) {
                throw new HandlerNotFound("No public method named " + methodName + " with appropriate method "
                        + "signature found on class " + className);
            }
            if (!Modifier.isStatic(chosen.getModifiers())) {
                Constructor<?> constructor = type.getDeclaredConstructor();
                constructor.setAccessible(true);
                target = constructor.newInstance();
            }
            Class<?>[] params = chosen.getParameterTypes();
            boolean streams = params.length >= 2 && InputStream.class.isAssignableFrom(params[0])
                    && OutputStream.class.isAssignableFrom(params[1]);
            boolean takesContext = params.length > 0 && params[params.length - 1].getName().equals(CORE + "Context");
            Type input = null;
            if (!streams && params.length > (takesContext ? 1 : 0)) {
                input = chosen.getGenericParameterTypes()[0];
                Type declared = requestType(type);
                if (declared != null && (input == Object.class || input instanceof java.lang.reflect.TypeVariable)) {
                    input = declared;
                }
            }
            return new Handler(target, chosen, streams, input, takesContext, loader);
        }

        /** The I of a RequestHandler<I, O> the class implements (through its superclasses too). */
        static Type requestType(Class<?> type) {
            for (Class<?> at = type; at != null; at = at.getSuperclass()) {
                for (Type face : at.getGenericInterfaces()) {
                    if (face instanceof ParameterizedType) {
                        ParameterizedType parameterized = (ParameterizedType) face;
                        if (((Class<?>) parameterized.getRawType()).getName().equals(CORE + "RequestHandler")) {
                            return parameterized.getActualTypeArguments()[0];
                        }
                    }
                }
            }
            return null;
        }

        byte[] invoke(byte[] event, ContextHandler context) throws Throwable {
            Object proxy = takesContext ? context.proxy(loader, method.getParameterTypes()[method.getParameterCount() - 1]) : null;
            if (streams) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Object[] args = takesContext ? new Object[] {new ByteArrayInputStream(event), out, proxy}
                        : new Object[] {new ByteArrayInputStream(event), out};
                method.invoke(target, args);
                return out.toByteArray();
            }
            List<Object> args = new ArrayList<>();
            if (input != null) {
                args.add(Json.convert(Json.parse(new String(event, StandardCharsets.UTF_8)), input));
            }
            if (takesContext) {
                args.add(proxy);
            }
            Object result = method.invoke(target, args.toArray());
            if (method.getReturnType() == void.class) {
                return "null".getBytes(StandardCharsets.UTF_8);
            }
            return Json.write(result).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The Context (and LambdaLogger) of one invocation, as proxies of the user's aws-lambda-java-core interfaces. */
    static final class ContextHandler implements InvocationHandler {
        final String requestId;
        final String arn;
        final long deadline;

        ContextHandler(String requestId, String arn, long deadline) {
            this.requestId = requestId;
            this.arn = arn;
            this.deadline = deadline;
        }

        Object proxy(ClassLoader loader, Class<?> face) {
            return Proxy.newProxyInstance(loader, new Class<?>[] {face}, this);
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "getAwsRequestId": return requestId;
                case "getLogGroupName": return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME");
                case "getLogStreamName": return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME");
                case "getFunctionName": return System.getenv("AWS_LAMBDA_FUNCTION_NAME");
                case "getFunctionVersion": return System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
                case "getInvokedFunctionArn": return arn;
                case "getMemoryLimitInMB":
                    return Integer.parseInt(orElse(System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "128"));
                case "getRemainingTimeInMillis": return (int) Math.max(0, deadline - System.currentTimeMillis());
                case "getLogger":
                    return Proxy.newProxyInstance(method.getReturnType().getClassLoader(),
                            new Class<?>[] {method.getReturnType()}, (logger, call, values) -> {
                                if (call.getName().equals("log") && values != null && values.length > 0) {
                                    Object value = values[values.length - 1];
                                    OUT.println(value instanceof byte[]
                                            ? new String((byte[]) value, StandardCharsets.UTF_8) : String.valueOf(value));
                                }
                                return null;
                            });
                case "getIdentity":
                case "getClientContext": return null;
                case "toString": return "Context[" + requestId + "]";
                case "hashCode": return System.identityHashCode(self);
                case "equals": return self == args[0];
                default: return null;
            }
        }
    }

    /** A small JSON codec: text to Map/List/String/Number/Boolean/null, those to POJOs and back. */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        static Object parse(String text) {
            Json json = new Json(text);
            json.space();
            if (json.at >= text.length()) {
                return null;
            }
            Object value = json.value(0);
            json.space();
            if (json.at != text.length()) {
                throw new IllegalArgumentException("Unexpected character at " + json.at + " of the event");
            }
            return value;
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private Object value(int depth) {
            if (depth > 512) {
                throw new IllegalArgumentException("The event is nested too deeply");
            }
            space();
            char c = text.charAt(at);
            if (c == '{') {
                Map<String, Object> map = new LinkedHashMap<>();
                at++;
                space();
                if (text.charAt(at) == '}') {
                    at++;
                    return map;
                }
                while (true) {
                    space();
                    String key = string();
                    space();
                    expect(':');
                    map.put(key, value(depth + 1));
                    space();
                    if (text.charAt(at) == ',') {
                        at++;
                        continue;
                    }
                    expect('}');
                    return map;
                }
            }
            if (c == '[') {
                List<Object> list = new ArrayList<>();
                at++;
                space();
                if (text.charAt(at) == ']') {
                    at++;
                    return list;
                }
                while (true) {
                    list.add(value(depth + 1));
                    space();
                    if (text.charAt(at) == ',') {
                        at++;
                        continue;
                    }
                    expect(']');
                    return list;
                }
            }
            if (c == '"') {
                return string();
            }
            if (text.startsWith("true", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("false", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (text.startsWith("null", at)) {
                at += 4;
                return null;
            }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String number = text.substring(start, at);
            if (number.isEmpty()) {
                throw new IllegalArgumentException("Unexpected character at " + at + " of the event");
            }
            if (number.contains(".") || number.contains("e") || number.contains("E")) {
                return Double.parseDouble(number);
            }
            long value = Long.parseLong(number);
            return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE ? (Object) (int) value : (Object) value;
        }

        private void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) {
                throw new IllegalArgumentException("Expected '" + c + "' at " + at + " of the event");
            }
            at++;
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n': out.append('\n'); break;
                    case 't': out.append('\t'); break;
                    case 'r': out.append('\r'); break;
                    case 'b': out.append('\b'); break;
                    case 'f': out.append('\f'); break;
                    case 'u':
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                        break;
                    default: out.append(e);
                }
            }
        }

        /** A parsed value as the Java type a handler takes. */
        static Object convert(Object value, Type type) throws Exception {
            Class<?> raw = type instanceof ParameterizedType ? (Class<?>) ((ParameterizedType) type).getRawType()
                    : type instanceof Class ? (Class<?>) type : Object.class;
            if (value == null) {
                return raw.isPrimitive() ? convert(raw == boolean.class ? Boolean.FALSE : (Object) 0, raw) : null;
            }
            if (raw == Object.class || raw.isInstance(value) && !(value instanceof Map || value instanceof List)) {
                return value;
            }
            if (raw == String.class) {
                return value instanceof String ? value : write(value);
            }
            if (value instanceof Number || value instanceof String && (raw.isPrimitive() || Number.class.isAssignableFrom(raw))) {
                String s = String.valueOf(value);
                Number n = value instanceof Number ? (Number) value : Double.valueOf(s);
                if (raw == int.class || raw == Integer.class) return n.intValue();
                if (raw == long.class || raw == Long.class) return n.longValue();
                if (raw == double.class || raw == Double.class) return n.doubleValue();
                if (raw == float.class || raw == Float.class) return n.floatValue();
                if (raw == short.class || raw == Short.class) return n.shortValue();
                if (raw == byte.class || raw == Byte.class) return n.byteValue();
                if (raw == java.math.BigDecimal.class) return new java.math.BigDecimal(s);
            }
            if (raw == boolean.class || raw == Boolean.class) {
                return value instanceof Boolean ? value : Boolean.parseBoolean(String.valueOf(value));
            }
            if (Map.class.isAssignableFrom(raw) && value instanceof Map) {
                Type item = type instanceof ParameterizedType ? ((ParameterizedType) type).getActualTypeArguments()[1]
                        : Object.class;
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    out.put(String.valueOf(entry.getKey()), convert(entry.getValue(), item));
                }
                return out;
            }
            if (value instanceof List && (Collection.class.isAssignableFrom(raw) || raw.isArray())) {
                Type item = raw.isArray() ? raw.getComponentType()
                        : type instanceof ParameterizedType ? ((ParameterizedType) type).getActualTypeArguments()[0]
                        : Object.class;
                List<?> list = (List<?>) value;
                if (raw.isArray()) {
                    Object array = Array.newInstance(raw.getComponentType(), list.size());
                    for (int i = 0; i < list.size(); i++) {
                        Array.set(array, i, convert(list.get(i), item));
                    }
                    return array;
                }
                Collection<Object> out = raw.isAssignableFrom(ArrayList.class) ? new ArrayList<>()
                        : new java.util.LinkedHashSet<>();
                for (Object element : list) {
                    out.add(convert(element, item));
                }
                return out;
            }
            if (raw.isEnum() && value instanceof String) {
                for (Object constant : raw.getEnumConstants()) {
                    if (((Enum<?>) constant).name().equals(value)) return constant;
                }
            }
            if (value instanceof Map) {
                Constructor<?> constructor = raw.getDeclaredConstructor();
                constructor.setAccessible(true);
                Object pojo = constructor.newInstance();
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    set(pojo, raw, String.valueOf(entry.getKey()), entry.getValue());
                }
                return pojo;
            }
            throw new IllegalArgumentException("Cannot deserialize " + write(value) + " as " + raw.getName());
        }

        private static void set(Object pojo, Class<?> raw, String name, Object value) throws Exception {
            String setter = "set" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
            for (Method method : raw.getMethods()) {
                if (method.getName().equals(setter) && method.getParameterCount() == 1) {
                    method.invoke(pojo, convert(value, method.getGenericParameterTypes()[0]));
                    return;
                }
            }
            for (Class<?> at = raw; at != null && at != Object.class; at = at.getSuperclass()) {
                try {
                    Field field = at.getDeclaredField(name);
                    if (!Modifier.isStatic(field.getModifiers())) {
                        field.setAccessible(true);
                        field.set(pojo, convert(value, field.getGenericType()));
                    }
                    return;
                } catch (NoSuchFieldException next) {
                    // a superclass's, or a property the POJO does not have (ignored)
                }
            }
        }

        static String write(Object value) {
            StringBuilder out = new StringBuilder();
            try {
                write(value, out, 0);
            } catch (Exception error) {
                throw new IllegalStateException("Cannot serialize the response: " + error, error);
            }
            return out.toString();
        }

        private static void write(Object value, StringBuilder out, int depth) throws Exception {
            if (depth > 512) {
                throw new IllegalStateException("the response is nested too deeply (a cycle?)");
            }
            if (value == null) {
                out.append("null");
            } else if (value instanceof String || value instanceof Character || value instanceof Enum) {
                quote(value instanceof Enum ? ((Enum<?>) value).name() : value.toString(), out);
            } else if (value instanceof Number || value instanceof Boolean) {
                out.append(value);
            } else if (value instanceof Map) {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    if (!first) out.append(',');
                    first = false;
                    quote(String.valueOf(entry.getKey()), out);
                    out.append(':');
                    write(entry.getValue(), out, depth + 1);
                }
                out.append('}');
            } else if (value instanceof Collection || value.getClass().isArray()) {
                out.append('[');
                List<Object> items = new ArrayList<>();
                if (value instanceof Collection) {
                    items.addAll((Collection<?>) value);
                } else {
                    for (int i = 0; i < Array.getLength(value); i++) items.add(Array.get(value, i));
                }
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) out.append(',');
                    write(items.get(i), out, depth + 1);
                }
                out.append(']');
            } else {
                Map<String, Object> fields = new LinkedHashMap<>();
                for (Method method : value.getClass().getMethods()) {
                    String name = method.getName();
                    if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())
                            || method.getDeclaringClass() == Object.class) continue;
                    String property = name.startsWith("get") && name.length() > 3 ? name.substring(3)
                            : name.startsWith("is") && name.length() > 2 && method.getReturnType() == boolean.class
                            ? name.substring(2) : null;
                    if (property != null) {
                        fields.put(Character.toLowerCase(property.charAt(0)) + property.substring(1), method.invoke(value));
                    }
                }
                for (Field field : value.getClass().getFields()) {
                    if (!Modifier.isStatic(field.getModifiers()) && !fields.containsKey(field.getName())) {
                        fields.put(field.getName(), field.get(value));
                    }
                }
                write(fields, out, depth + 1);
            }
        }

        private static void quote(String text, StringBuilder out) {
            out.append('"');
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '"': out.append("\\\""); break;
                    case '\\': out.append("\\\\"); break;
                    case '\n': out.append("\\n"); break;
                    case '\r': out.append("\\r"); break;
                    case '\t': out.append("\\t"); break;
                    default:
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                }
            }
            out.append('"');
        }
    }
}
