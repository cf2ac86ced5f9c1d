package descent.nn;

import descent.autograd.Tensor;
import descent.tensor.NdArray;
import descent.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer or model: parameters (trained), buffers (state that is saved but not trained, such as
 * batch norm's running averages) and child modules, each registered by name in insertion order.
 * Names join with dots across the tree ({@code layers.0.weight}), as in PyTorch, so a state dict
 * saved by one program loads in another.
 *
 * <p>Subclasses register everything in their constructor and implement {@link #forward}, which
 * receives the {@link Mode} explicitly. A container calls each child through
 * {@link #forwardChild}, never the child's {@code forward} directly, so that an observer sees
 * inside every container. A parameter is frozen by turning its gradient off ({@link #freeze()},
 * or {@code requiresGrad(false)} on one tensor): forward passes then record nothing for it and
 * optimizers skip it.
 */
public abstract class Module {

    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();

    /** The output for one input batch; children run through {@link #forwardChild}. */
    public abstract Tensor forward(Tensor input, Mode mode);

    /**
     * The same output, with every module's output shown to {@code observer} under its dotted name,
     * innermost first, and this module's last under "".
     */
    public final Tensor forward(Tensor input, Mode mode, ForwardObserver observer) {
        Tensor out = forward(input, mode.observedBy(observer));
        observer.output("", this, out);
        return out;
    }

    /**
     * Runs the child registered as {@code name} on {@code input} and, in an observed pass, shows
     * its output to the observer under the child's dotted name, after everything inside the child
     * (as PyTorch's {@code __call__} runs forward hooks). Unobserved, the mode passes through as is:
     * no path is built and nothing is allocated.
     */
    protected final Tensor forwardChild(String name, Tensor input, Mode mode) {
        Module child = children.get(name);
        if (child == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no child named '" + name
                    + "'; children: " + children.keySet());
        }
        ForwardObserver observer = mode.observer();
        if (observer == null) {
            return child.forward(input, mode);
        }
        Mode inner = mode.child(name);
        Tensor out = child.forward(input, inner);
        observer.output(inner.path(), child, out);
        return out;
    }

    // ---------------------------------------------------------------- registration

    /** Registers a trainable parameter, initially requiring gradients. */
    protected final Tensor registerParameter(String name, NdArray value) {
        checkName(name);
        Tensor t = Tensor.param(value);
        parameters.put(name, t);
        return t;
    }

    /** Registers a buffer: saved in the state dict, never trained. */
    protected final Tensor registerBuffer(String name, NdArray value) {
        checkName(name);
        Tensor t = Tensor.of(value);
        buffers.put(name, t);
        return t;
    }

    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module member names must be non-empty and contain no '.', got '"
                    + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has a member named '" + name + "'");
        }
    }

    // ---------------------------------------------------------------- the tree

    /** Direct children by name, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter in the tree under its dotted name. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> m.parameters.forEach((n, t) -> out.put(prefix + n, t)));
        return out;
    }

    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The parameters that are not frozen: what an optimizer should update. */
    public final Map<String, Tensor> trainableParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((n, t) -> {
            if (t.requiresGrad()) {
                out.put(n, t);
            }
        });
        return out;
    }

    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> m.buffers.forEach((n, t) -> out.put(prefix + n, t)));
        return out;
    }

    /** This module (under "") and every descendant, under dotted paths. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> out.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), m));
        return out;
    }

    /** The descendant at a dotted path, such as {@code layers.0}. */
    public final Module submodule(String path) {
        Module m = namedModules().get(path);
        if (m == null) {
            throw new IllegalArgumentException("no submodule '" + path + "' in " + getClass().getSimpleName()
                    + "; modules: " + namedModules().keySet());
        }
        return m;
    }

    /** The parameter at a dotted path, such as {@code layers.0.weight}. */
    public final Tensor parameter(String path) {
        Tensor t = namedParameters().get(path);
        if (t == null) {
            throw new IllegalArgumentException("no parameter '" + path + "' in " + getClass().getSimpleName()
                    + "; parameters: " + namedParameters().keySet());
        }
        return t;
    }

    /** Total number of parameter elements. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) {
            n += t.size();
        }
        return n;
    }

    private interface Visitor {
        void visit(String prefix, Module m);
    }

    /** Pre-order: a module, then its children in order, so names come out as PyTorch lists them. */
    private void visit(String prefix, Visitor v) {
        v.visit(prefix, this);
        children.forEach((n, c) -> c.visit(prefix + n + ".", v));
    }

    // ---------------------------------------------------------------- freezing and gradients

    /** Stops every parameter in the tree from training; returns this. */
    public final Module freeze() {
        return setTrainable(false);
    }

    /** Lets every parameter in the tree train again; returns this. */
    public final Module unfreeze() {
        return setTrainable(true);
    }

    private Module setTrainable(boolean on) {
        for (Tensor t : namedParameters().values()) {
            t.requiresGrad(on);
            if (!on) {
                t.zeroGrad();
            }
        }
        return this;
    }

    /** Whether no parameter in the tree trains (true for a module without parameters). */
    public final boolean isFrozen() {
        return trainableParameters().isEmpty();
    }

    /** Forgets every parameter's accumulated gradient. */
    public final void zeroGrad() {
        namedParameters().values().forEach(Tensor::zeroGrad);
    }

    // ---------------------------------------------------------------- state dicts

    /**
     * Parameters and buffers by dotted name, each module's parameters before its buffers and
     * before its children (PyTorch's order). The arrays are the live values, not copies.
     */
    public final Map<String, NdArray> stateDict() {
        Map<String, NdArray> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> {
            m.parameters.forEach((n, t) -> out.put(prefix + n, t.value()));
            m.buffers.forEach((n, t) -> out.put(prefix + n, t.value()));
        });
        return out;
    }

    /**
     * Loads parameters and buffers by name. Every problem is collected: names missing from the
     * dict, names the module lacks, shapes or dtypes that differ. Strict loading throws a
     * {@link StateDictException} listing them all and changes nothing; non-strict loading loads
     * every entry that matches and returns the problems.
     */
    public final LoadResult loadStateDict(Map<String, NdArray> state, boolean strict) {
        Map<String, Tensor> targets = new LinkedHashMap<>(namedParameters());
        targets.putAll(namedBuffers());
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        Map<Tensor, NdArray> loads = new LinkedHashMap<>();
        targets.forEach((name, t) -> {
            NdArray v = state.get(name);
            if (v == null) {
                missing.add(name);
            } else if (v.dtype() != t.dtype() || !Arrays.equals(v.shape(), t.shape())) {
                mismatched.add(name + ": state dict has " + v.dtype() + Shapes.str(v.shape()) + ", module has "
                        + t.dtype() + Shapes.str(t.shape()));
            } else {
                loads.put(t, v);
            }
        });
        List<String> unexpected = new ArrayList<>();
        for (String name : state.keySet()) {
            if (!targets.containsKey(name)) {
                unexpected.add(name);
            }
        }
        LoadResult result = new LoadResult(missing, unexpected, mismatched);
        if (strict && !result.isExact()) {
            throw new StateDictException(getClass().getSimpleName(), result);
        }
        // Copies, so that the module never shares storage with the caller's arrays.
        loads.forEach((t, v) -> t.assign(v.copy()));
        return result;
    }

    // ---------------------------------------------------------------- description

    /** The arguments shown in {@link #toString()}, such as {@code in=784, out=256}. */
    protected String extraRepr() {
        return "";
    }

    /** The name shown in {@link #toString()}. */
    protected String displayName() {
        return getClass().getSimpleName();
    }

    /** The architecture as an indented tree: {@code Sequential(\n  (0): Linear(in=2, out=3) ...}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(displayName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            sb.append('\n');
            children.forEach((n, c) -> sb.append("  (").append(n).append("): ")
                    .append(c.toString().replace("\n", "\n  ")).append('\n'));
        }
        return sb.append(')').toString();
    }
}
