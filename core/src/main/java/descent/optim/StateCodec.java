package descent.optim;

import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.tensor.Shapes;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Flattens a state record into named arrays and rebuilds it, using the record's own component
 * names: {@code layers.0.weight/1.m} is component m of the second rule of a chain. Arrays keep
 * their dtype, so a reload is bit-exact; counters and flags are stored as float64 scalars.
 */
final class StateCodec {

    private StateCodec() {}

    static void encode(String prefix, Record state, Map<String, NdArray> out) {
        for (RecordComponent c : state.getClass().getRecordComponents()) {
            Object v = get(c, state);
            String key = prefix + c.getName();
            switch (v) {
                case null -> { }
                case NdArray a -> out.put(key, a);
                case Long l -> out.put(key, NdArray.scalar(DType.FLOAT64, l));
                case Double d -> out.put(key, NdArray.scalar(DType.FLOAT64, d));
                case Boolean b -> out.put(key, NdArray.scalar(DType.FLOAT64, b ? 1 : 0));
                case Record r -> encode(key + ".", r, out);
                case List<?> list -> {
                    for (int i = 0; i < list.size(); i++) {
                        encode(prefix + i + ".", (Record) list.get(i), out);
                    }
                }
                default -> throw new IllegalStateException("optimizer state component " + key + " has unsupported type "
                        + v.getClass().getName());
            }
        }
    }

    /**
     * A record shaped like {@code template} with values from {@code in}; each problem (a missing
     * key, a shape or dtype that differs from the template's) is added to {@code problems}.
     */
    static Record decode(String prefix, Record template, Map<String, NdArray> in, List<String> problems) {
        RecordComponent[] cs = template.getClass().getRecordComponents();
        Object[] values = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            RecordComponent c = cs[i];
            types[i] = c.getType();
            Object t = get(c, template);
            String key = prefix + c.getName();
            values[i] = switch (t) {
                case null -> null;
                case Record r -> decode(key + ".", r, in, problems);
                case List<?> list -> {
                    List<Record> out = new ArrayList<>();
                    for (int k = 0; k < list.size(); k++) {
                        out.add(decode(prefix + k + ".", (Record) list.get(k), in, problems));
                    }
                    yield out;
                }
                default -> {
                    NdArray a = in.get(key);
                    if (a == null) {
                        problems.add("missing " + key);
                        yield t;
                    }
                    yield switch (t) {
                        case NdArray shape -> {
                            if (a.dtype() != shape.dtype() || !Arrays.equals(a.shape(), shape.shape())) {
                                problems.add(key + ": saved " + a.dtype() + Shapes.str(a.shape()) + ", parameter needs "
                                        + shape.dtype() + Shapes.str(shape.shape()));
                                yield t;
                            }
                            yield a.copy();
                        }
                        case Long l -> (long) a.item();
                        case Double d -> a.item();
                        case Boolean b -> a.item() != 0;
                        default -> throw new IllegalStateException("unsupported state component " + key);
                    };
                }
            };
        }
        try {
            Constructor<?> ctor = template.getClass().getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return (Record) ctor.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot rebuild optimizer state " + template.getClass().getName(), e);
        }
    }

    /** The step count under {@code #steps} and each parameter's state under {@code name/component}. */
    static Map<String, NdArray> encodeByParameter(long steps, Map<String, ? extends Record> states) {
        Map<String, NdArray> out = new java.util.LinkedHashMap<>();
        out.put(STEPS, NdArray.scalar(DType.FLOAT64, steps));
        states.forEach((name, s) -> encode(name + "/", s, out));
        return out;
    }

    /** Per-parameter states read back by {@link #decodeByParameter}, and the step count. */
    record ByParameter(long steps, Map<String, Record> states) {}

    /**
     * Reads what {@link #encodeByParameter} wrote. Every key must be the step count or belong to
     * a parameter in {@code params}; a parameter with no keys had no state yet. Each state is
     * rebuilt on the template its parameter's rule gives, and every problem is reported at once.
     */
    static ByParameter decodeByParameter(Map<String, NdArray> state, Map<String, ?> params,
                                         java.util.function.Function<String, Record> template) {
        List<String> problems = new ArrayList<>();
        for (String key : state.keySet()) {
            int slash = key.indexOf('/');
            if (!key.equals(STEPS) && (slash < 0 || !params.containsKey(key.substring(0, slash)))) {
                problems.add("unexpected " + key + " (no such parameter)");
            }
        }
        Map<String, Record> states = new java.util.LinkedHashMap<>();
        for (String name : params.keySet()) {
            if (state.keySet().stream().anyMatch(k -> k.startsWith(name + "/"))) {
                states.put(name, decode(name + "/", template.apply(name), state, problems));
            }
        }
        if (!state.containsKey(STEPS)) {
            problems.add("missing " + STEPS);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("optimizer state does not fit:\n  " + String.join("\n  ", problems));
        }
        return new ByParameter((long) state.get(STEPS).item(), states);
    }

    private static final String STEPS = "#steps";

    private static Object get(RecordComponent c, Record r) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read optimizer state " + c, e);
        }
    }
}
