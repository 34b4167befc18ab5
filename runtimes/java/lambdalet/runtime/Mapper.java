package lambdalet.runtime;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns parsed JSON into a handler's declared input type (POJOs by setters and public fields, maps, collections,
 * arrays, boxed primitives, strings, enums) and objects into properties for the writer (getters and public fields).
 */
final class Mapper {
    private Mapper() {}

    /** Converts a parsed JSON value to `type`; throws IllegalArgumentException when it does not fit. */
    static Object convert(Object json, Type type) {
        if (type instanceof Class) return convertTo(json, (Class<?>) type, null);
        if (type instanceof ParameterizedType) {
            ParameterizedType p = (ParameterizedType) type;
            return convertTo(json, (Class<?>) p.getRawType(), p.getActualTypeArguments());
        }
        if (type instanceof GenericArrayType) {
            if (json == null) return null;
            Type component = ((GenericArrayType) type).getGenericComponentType();
            return toArray(json, rawClass(component), component);
        }
        if (type instanceof WildcardType) return convert(json, ((WildcardType) type).getUpperBounds()[0]);
        if (type instanceof TypeVariable) return convert(json, ((TypeVariable<?>) type).getBounds()[0]);
        return json;
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class) return (Class<?>) type;
        if (type instanceof ParameterizedType) return (Class<?>) ((ParameterizedType) type).getRawType();
        if (type instanceof GenericArrayType) {
            return Array.newInstance(rawClass(((GenericArrayType) type).getGenericComponentType()), 0).getClass();
        }
        return Object.class;
    }

    private static IllegalArgumentException mismatch(Object json, Class<?> type) {
        String what = json == null ? "null" : json instanceof Map ? "an object" : json instanceof List ? "an array"
            : json.getClass().getSimpleName() + " " + json;
        return new IllegalArgumentException("Cannot read " + what + " as " + type.getName());
    }

    private static Object convertTo(Object json, Class<?> type, Type[] args) {
        if (type == Object.class) return json;
        if (json == null) return type.isPrimitive() ? primitiveDefault(type) : null;
        if (type == String.class || type == CharSequence.class) {
            return json instanceof String ? json : Json.write(json);
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type) || type == Boolean.class
            || type == Character.class) {
            return scalar(json, type);
        }
        if (type.isEnum()) {
            if (!(json instanceof String)) throw mismatch(json, type);
            return enumValue(type, (String) json);
        }
        if (type == byte[].class && json instanceof String) return Base64.getDecoder().decode((String) json);
        if (type.isArray()) return toArray(json, type.getComponentType(), type.getComponentType());
        Type first = args != null && args.length > 0 ? args[0] : Object.class;
        if (Map.class.isAssignableFrom(type)) {
            if (!(json instanceof Map)) throw mismatch(json, type);
            Type valueType = args != null && args.length > 1 ? args[1] : Object.class;
            @SuppressWarnings("unchecked")
            Map<Object, Object> map = (Map<Object, Object>) create(type, LinkedHashMap.class, TreeMap.class);
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) json).entrySet()) {
                map.put(convert(entry.getKey(), first), convert(entry.getValue(), valueType));
            }
            return map;
        }
        if (Collection.class.isAssignableFrom(type)) {
            if (!(json instanceof List)) throw mismatch(json, type);
            Class<?> fallback = Set.class.isAssignableFrom(type) ? LinkedHashSet.class : ArrayList.class;
            @SuppressWarnings("unchecked")
            Collection<Object> items = (Collection<Object>) create(type, fallback, TreeSet.class);
            for (Object item : (List<?>) json) items.add(convert(item, first));
            return items;
        }
        if (!(json instanceof Map)) throw mismatch(json, type);
        return toBean((Map<?, ?>) json, type);
    }

    private static Object create(Class<?> type, Class<?> fallback, Class<?> sorted) {
        Class<?> concrete = !type.isInterface() && !Modifier.isAbstract(type.getModifiers()) ? type
            : SortedMap.class.isAssignableFrom(type) || SortedSet.class.isAssignableFrom(type) ? sorted : fallback;
        return instantiate(concrete);
    }

    private static Object instantiate(Class<?> type) {
        try {
            Constructor<?> constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot create " + type.getName() + ": it needs a no-argument constructor", e);
        }
    }

    private static Object toArray(Object json, Class<?> component, Type componentType) {
        if (!(json instanceof List)) throw mismatch(json, Array.newInstance(component, 0).getClass());
        List<?> list = (List<?>) json;
        Object array = Array.newInstance(component, list.size());
        for (int i = 0; i < list.size(); i++) Array.set(array, i, convert(list.get(i), componentType));
        return array;
    }

    private static Object primitiveDefault(Class<?> type) {
        if (type == boolean.class) return false;
        if (type == char.class) return '\0';
        return scalar(0, type);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> type, String name) {
        return Enum.valueOf((Class<? extends Enum>) type, name);
    }

    private static Object scalar(Object json, Class<?> type) {
        if (type == boolean.class || type == Boolean.class) {
            if (json instanceof Boolean) return json;
            if ("true".equals(json) || "false".equals(json)) return Boolean.valueOf((String) json);
            throw mismatch(json, type);
        }
        if (type == char.class || type == Character.class) {
            if (json instanceof String && ((String) json).length() == 1) return ((String) json).charAt(0);
            throw mismatch(json, type);
        }
        BigDecimal number;
        if (json instanceof Number) {
            number = json instanceof Double ? BigDecimal.valueOf((Double) json) : new BigDecimal(json.toString());
        } else if (json instanceof String) {
            try {
                number = new BigDecimal(((String) json).trim());
            } catch (NumberFormatException e) {
                throw mismatch(json, type);
            }
        } else {
            throw mismatch(json, type);
        }
        if (type == int.class || type == Integer.class) return number.intValue();
        if (type == long.class || type == Long.class) return number.longValue();
        if (type == double.class || type == Double.class || type == Number.class) return number.doubleValue();
        if (type == float.class || type == Float.class) return number.floatValue();
        if (type == short.class || type == Short.class) return number.shortValue();
        if (type == byte.class || type == Byte.class) return number.byteValue();
        if (type == BigDecimal.class) return number;
        if (type == BigInteger.class) return number.toBigInteger();
        throw mismatch(json, type);
    }

    private static Object toBean(Map<?, ?> json, Class<?> type) {
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException("Cannot create " + type.getName() + ": it is abstract");
        }
        Object bean = instantiate(type);
        Map<String, Method> setters = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Method method : type.getMethods()) {
            String name = method.getName();
            if (name.length() > 3 && name.startsWith("set") && method.getParameterCount() == 1
                && !Modifier.isStatic(method.getModifiers())) {
                setters.putIfAbsent(name.substring(3), method);
            }
        }
        Map<String, Field> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Field field : type.getFields()) {
            int modifiers = field.getModifiers();
            if (!Modifier.isStatic(modifiers) && !Modifier.isFinal(modifiers)) fields.putIfAbsent(field.getName(), field);
        }
        for (Map.Entry<?, ?> entry : json.entrySet()) {
            String key = String.valueOf(entry.getKey());
            try {
                Method setter = setters.get(key);
                if (setter != null) {
                    setter.setAccessible(true);
                    setter.invoke(bean, convert(entry.getValue(), setter.getGenericParameterTypes()[0]));
                    continue;
                }
                Field field = fields.get(key);
                if (field != null) {
                    field.setAccessible(true);
                    field.set(bean, convert(entry.getValue(), field.getGenericType()));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("Cannot set " + key + " of " + type.getName(), e);
            }
        }
        return bean;
    }

    /**
     * The properties of an object to write as JSON: public getters (`getX`, `isX`) and public fields, in the order of
     * the class's declared fields, then the rest by name. JDK types without properties are written as their text.
     */
    static Map<String, Object> properties(Object bean) {
        Class<?> type = bean.getClass();
        Map<String, Object> found = new TreeMap<>();
        for (Method method : type.getMethods()) {
            String property = propertyOf(method);
            if (property == null || found.containsKey(property)) continue;
            try {
                method.setAccessible(true);
                found.put(property, method.invoke(bean));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("Cannot read " + property + " of " + type.getName(), e);
            }
        }
        for (Field field : type.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) || found.containsKey(field.getName())) continue;
            try {
                field.setAccessible(true);
                found.put(field.getName(), field.get(bean));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("Cannot read " + field.getName() + " of " + type.getName(), e);
            }
        }
        Map<String, Object> ordered = new LinkedHashMap<>();
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) chain.add(0, c);
        for (Class<?> c : chain) {
            for (Field field : c.getDeclaredFields()) {
                if (found.containsKey(field.getName())) ordered.put(field.getName(), found.remove(field.getName()));
            }
        }
        ordered.putAll(found);
        if (ordered.isEmpty() && type.getName().startsWith("java.")) ordered.put("value", bean.toString());
        return ordered;
    }

    /** `getFirstName` → `firstName`, `isReady` (boolean) → `ready`, `getURL` → `URL`; null for other methods. */
    private static String propertyOf(Method method) {
        if (Modifier.isStatic(method.getModifiers()) || method.getParameterCount() != 0) return null;
        if (method.getReturnType() == void.class || method.getDeclaringClass() == Object.class) return null;
        String name = method.getName();
        String rest;
        if (name.startsWith("get") && name.length() > 3) {
            rest = name.substring(3);
        } else if (name.startsWith("is") && name.length() > 2 && method.getReturnType() == boolean.class) {
            rest = name.substring(2);
        } else {
            return null;
        }
        if (!Character.isUpperCase(rest.charAt(0))) return null;
        if (rest.length() > 1 && Character.isUpperCase(rest.charAt(1))) return rest;
        return Character.toLowerCase(rest.charAt(0)) + rest.substring(1);
    }
}
