package descent.optim;

import descent.autograd.Tensor;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A continuation method: instead of one cost J, a series J_λ whose parameter λ follows a schedule
 * of the step, from an easy objective to the real one (λ = 0), each solution the start of the
 * next (the Deep Learning Book, §8.7.6). {@link #at(long)} gives the closure of step t's objective,
 * for any {@link Minimizer}. The family is any {@link Family}: a blur of the loss
 * ({@link #gaussianSmoothing}), noise on the inputs, a temperature.
 *
 * @param family J_λ as a closure at the parameters' current values
 * @param lambda λ as a function of the step, reaching 0 (the real objective) at the end
 */
public record Continuation(Family family, Schedule lambda) {

    /** J_λ at the parameters' current values: clears their gradients, leaves ∇J_λ there, returns J_λ. */
    @FunctionalInterface
    public interface Family {
        double evaluate(double lambda);
    }

    public Continuation {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(lambda, "lambda");
    }

    /** The closure of the objective at step {@code step} (0 = the first). */
    public Closure at(long step) {
        double l = lambda.at(step);
        return () -> family.evaluate(l);
    }

    /**
     * The objective blurred by a Gaussian in parameter space, J_σ(θ) = E[J(θ + σε)] with
     * ε ~ N(0, I): a convolution that flattens ripples narrower than σ while keeping the wide shape
     * of the landscape. It is estimated with {@code pairs} antithetic pairs ε, −ε (so the part of J
     * that is linear in θ is smoothed without noise), fresh draws from {@code rng} at every
     * evaluation; its gradient is the mean of ∇J at the perturbed points. At σ = 0 it is J itself,
     * evaluated once.
     */
    public static Family gaussianSmoothing(Map<String, Tensor> params, Objective objective, int pairs,
                                           RandomGenerator rng) {
        if (pairs < 1) {
            throw new IllegalArgumentException("gaussian smoothing needs at least one pair of samples, got " + pairs);
        }
        Closure plain = Objective.closure(params, objective);
        List<Tensor> list = List.copyOf(params.values());
        return sigma -> {
            if (!(sigma >= 0)) {
                throw new IllegalArgumentException("gaussian smoothing: σ must be >= 0, got " + sigma);
            }
            if (sigma == 0) {
                return plain.evaluate();
            }
            List<NdArray> centre = new ArrayList<>();
            List<NdArray> sum = new ArrayList<>();
            for (Tensor p : list) {
                centre.add(p.value());
                sum.add(NdArray.zeros(p.dtype(), p.shape()));
            }
            double loss = 0;
            try {
                for (int k = 0; k < pairs; k++) {
                    List<NdArray> eps = new ArrayList<>();
                    for (Tensor p : list) {
                        eps.add(NdArray.randn(rng, p.dtype(), p.shape()).mul(sigma));
                    }
                    for (int sign = 1; sign >= -1; sign -= 2) {
                        for (int i = 0; i < list.size(); i++) {
                            list.get(i).assign(centre.get(i).add(eps.get(i).mul(sign)));
                        }
                        loss += plain.evaluate();
                        for (int i = 0; i < list.size(); i++) {
                            sum.set(i, sum.get(i).add(list.get(i).grad().value()));
                        }
                    }
                }
            } finally {
                for (int i = 0; i < list.size(); i++) {
                    list.get(i).assign(centre.get(i));
                }
            }
            int samples = 2 * pairs;
            params.values().forEach(Tensor::zeroGrad);
            // Backward through Σ p·ḡ leaves exactly the mean gradient ḡ in each parameter's grad.
            Tensor surrogate = null;
            for (int i = 0; i < list.size(); i++) {
                Tensor term = list.get(i).mul(Tensor.of(sum.get(i).mul(1.0 / samples))).sum();
                surrogate = surrogate == null ? term : surrogate.add(term);
            }
            surrogate.backward();
            return loss / samples;
        };
    }
}
