package descent.optim;

import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.tensor.Shapes;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Flattens a state record into named arrays and rebuilds it, using the record's own component
 * names: {@code layers.0.weight/1.m} is component m of the second rule of a chain, and a
 * by-parameter map component {@code sums} of a global rule gives {@code #global.0/sums.NAME}.
 * Arrays are copied both ways and keep their dtype, so a reload is bit-exact and shares nothing
 * with the optimizer; counters and flags are stored as float64 scalars.
 */
final class StateCodec {

    private StateCodec() {}

    static void encode(String prefix, Record state, Map<String, NdArray> out) {
        for (RecordComponent c : state.getClass().getRecordComponents()) {
            Object v = get(c, state);
            String key = prefix + c.getName();
            switch (v) {
                case null -> { }
                case NdArray a -> out.put(key, a.copy());
                case Long l -> out.put(key, NdArray.scalar(DType.FLOAT64, l));
                case Double d -> out.put(key, NdArray.scalar(DType.FLOAT64, d));
                case Boolean b -> out.put(key, NdArray.scalar(DType.FLOAT64, b ? 1 : 0));
                case Record r -> encode(key + ".", r, out);
                case List<?> list -> {
                    for (int i = 0; i < list.size(); i++) {
                        encode(prefix + i + ".", (Record) list.get(i), out);
                    }
                }
                case Map<?, ?> map -> map.forEach((name, a) -> out.put(key + "." + name, ((NdArray) a).copy()));
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
                case Map<?, ?> map -> {
                    Map<String, NdArray> out = new LinkedHashMap<>();
                    map.forEach((name, shape) -> out.put((String) name,
                            array(key + "." + name, (NdArray) shape, in, problems)));
                    yield out;
                }
                case NdArray shape -> array(key, shape, in, problems);
                default -> {
                    NdArray a = in.get(key);
                    if (a == null) {
                        problems.add("missing " + key);
                        yield t;
                    }
                    yield switch (t) {
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

    /** A copy of {@code array} saved under {@code key}, checked against the template's dtype and shape. */
    private static NdArray array(String key, NdArray template, Map<String, NdArray> in, List<String> problems) {
        NdArray a = in.get(key);
        if (a == null) {
            problems.add("missing " + key);
            return template;
        }
        if (a.dtype() != template.dtype() || !Arrays.equals(a.shape(), template.shape())) {
            problems.add(key + ": saved " + a.dtype() + Shapes.str(a.shape()) + ", parameter needs "
                    + template.dtype() + Shapes.str(template.shape()));
            return template;
        }
        return a.copy();
    }

    /** A deep copy of a state record: arrays copied, everything else as it is. */
    static Record copy(Record state) {
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        encode("", state, arrays);
        List<String> problems = new ArrayList<>();
        Record out = decode("", state, arrays, problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("cannot copy optimizer state: " + problems);
        }
        return out;
    }

    /**
     * The step count under {@code #steps}, each parameter's state under {@code name/component} and
     * each global rule's under {@code #global.I/component}.
     */
    static Map<String, NdArray> encodeByParameter(long steps, Map<String, ? extends Record> states,
                                                  List<? extends Record> globalStates) {
        Map<String, NdArray> out = new LinkedHashMap<>();
        out.put(STEPS, NdArray.scalar(DType.FLOAT64, steps));
        states.forEach((name, s) -> encode(name + "/", s, out));
        for (int i = 0; i < globalStates.size(); i++) {
            encode(GLOBAL + i + "/", globalStates.get(i), out);
        }
        return out;
    }

    /** Per-parameter states read back by {@link #decodeByParameter}, the global rules' and the step count. */
    record ByParameter(long steps, Map<String, Record> states, List<Record> globalStates) {}

    /**
     * Reads what {@link #encodeByParameter} wrote. Every key must be the step count or belong to
     * a parameter in {@code params} or to one of the global rules; a parameter with no keys had no
     * state yet, and a global rule with none keeps its template (its state before any step). Each
     * state is rebuilt on its template, and every problem is reported at once.
     */
    static ByParameter decodeByParameter(Map<String, NdArray> state, Map<String, ?> params,
                                         Function<String, Record> template, List<Record> globalTemplates) {
        List<String> problems = new ArrayList<>();
        for (String key : state.keySet()) {
            int slash = key.indexOf('/');
            String owner = slash < 0 ? key : key.substring(0, slash);
            if (!key.equals(STEPS) && (slash < 0 || !params.containsKey(owner) && !isGlobal(owner, globalTemplates.size()))) {
                problems.add("unexpected " + key + (owner.startsWith(GLOBAL) ? " (no such global rule)"
                        : " (no such parameter)"));
            }
        }
        Map<String, Record> states = new LinkedHashMap<>();
        for (String name : params.keySet()) {
            if (hasKeys(state, name + "/")) {
                states.put(name, decode(name + "/", template.apply(name), state, problems));
            }
        }
        List<Record> globals = new ArrayList<>();
        for (int i = 0; i < globalTemplates.size(); i++) {
            String prefix = GLOBAL + i + "/";
            globals.add(hasKeys(state, prefix) ? decode(prefix, globalTemplates.get(i), state, problems)
                    : globalTemplates.get(i));
        }
        if (!state.containsKey(STEPS)) {
            problems.add("missing " + STEPS);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("optimizer state does not fit:\n  " + String.join("\n  ", problems));
        }
        return new ByParameter((long) state.get(STEPS).item(), states, globals);
    }

    private static boolean hasKeys(Map<String, NdArray> state, String prefix) {
        return state.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    private static boolean isGlobal(String owner, int count) {
        for (int i = 0; i < count; i++) {
            if (owner.equals(GLOBAL + i)) {
                return true;
            }
        }
        return false;
    }

    private static final String STEPS = "#steps";
    private static final String GLOBAL = "#global.";

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
