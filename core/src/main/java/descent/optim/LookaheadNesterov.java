package descent.optim;

import descent.autograd.Tensor;
import descent.tensor.NdArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nesterov momentum in the notes' look-ahead form: the gradient is evaluated where momentum is
 * about to carry the parameters, g = ∇f(θ − α·β·u), then u ← β·u + (1−β)·g (EMA form, as in the
 * notes) or u ← β·u + g (classic form), and θ ← θ − α·u. Evaluating at a moved point needs a
 * {@link Closure}; PyTorch's {@code nesterov=True} is the algebraic rewrite that avoids it.
 */
public final class LookaheadNesterov implements Minimizer {

    /** The velocity u of one parameter. */
    public record Velocity(NdArray u) {}

    private final Map<String, Tensor> params;
    private final Schedule lr;
    private final double beta;
    private final boolean ema;
    private final Map<String, Velocity> states = new LinkedHashMap<>();
    private long steps;

    public LookaheadNesterov(Map<String, Tensor> params, Schedule lr, double beta, boolean emaForm) {
        Transforms.requireFraction("nesterov-lookahead", "momentum", beta);
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.lr = lr;
        this.beta = beta;
        this.ema = emaForm;
    }

    @Override
    public double step(Closure closure) {
        double alpha = lr.at(steps);
        Map<String, NdArray> saved = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            saved.put(name, p.value());
            p.assign(p.value().sub(velocity(name, p).mul(alpha * beta)));
        });
        double loss = closure.evaluate();
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            String name = e.getKey();
            Tensor p = e.getValue();
            p.assign(saved.get(name));
            if (!p.requiresGrad() || p.grad() == null) {
                continue;
            }
            NdArray g = p.grad().value();
            NdArray u = velocity(name, p).mul(beta).add(ema ? g.mul(1 - beta) : g);
            states.put(name, new Velocity(u));
            p.assign(p.value().sub(u.mul(alpha)));
        }
        steps++;
        return loss;
    }

    private NdArray velocity(String name, Tensor p) {
        Velocity v = states.get(name);
        return v == null ? NdArray.zeros(p.dtype(), p.shape()) : v.u();
    }

    @Override
    public Map<String, Tensor> parameters() {
        return params;
    }

    @Override
    public Map<String, NdArray> stateDict() {
        return StateCodec.encodeByParameter(steps, states, List.of());
    }

    @Override
    public void loadStateDict(Map<String, NdArray> state) {
        StateCodec.ByParameter loaded = StateCodec.decodeByParameter(state, params,
                name -> new Velocity(NdArray.zeros(params.get(name).dtype(), params.get(name).shape())), List.of());
        states.clear();
        loaded.states().forEach((name, v) -> states.put(name, (Velocity) v));
        steps = loaded.steps();
    }
}
