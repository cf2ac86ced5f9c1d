package descent.nn;

import descent.autograd.GradCheck;
import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Checks a float64 module's gradients, with respect to its input and to every trainable
 * parameter, against central finite differences: the module-level twin of {@link GradCheck}.
 * The output is reduced with fixed random weights; each element is moved by ±ε in turn.
 * {@code mode} is asked for a fresh Mode per evaluation, so a seeded training mode draws the
 * same dropout mask every time.
 */
public final class ModuleGradCheck {

    private ModuleGradCheck() {}

    public static GradCheck.Result check(Module module, NdArray input, Supplier<Mode> mode,
                                         double eps, double atol, double rtol) {
        if (input.dtype() != DType.FLOAT64 || module.parameters().stream().anyMatch(p -> p.dtype() != DType.FLOAT64)) {
            throw new IllegalArgumentException("gradient checks need a float64 module and input");
        }
        NdArray weights;
        try (var scope = GradMode.noGrad()) {
            weights = NdArray.randn(new SplittableRandom(17), DType.FLOAT64, module.forward(Tensor.of(input), mode.get()).shape());
        }
        Map<String, Tensor> targets = new LinkedHashMap<>();
        Tensor x = Tensor.param(input);
        targets.put("input", x);
        module.trainableParameters().forEach((n, p) -> targets.put("parameter " + n, p));

        module.zeroGrad();
        module.forward(x, mode.get()).mul(Tensor.of(weights)).sum().backward();

        double worst = 0;
        String where = "nowhere";
        boolean passed = true;
        for (Map.Entry<String, Tensor> e : targets.entrySet()) {
            Tensor t = e.getValue();
            NdArray saved = t.value();
            double[] a = t.grad() == null ? new double[t.size()] : t.grad().value().toDoubleArray();
            double[] v = saved.toDoubleArray();
            for (int j = 0; j < v.length; j++) {
                double at = v[j];
                v[j] = at + eps;
                double plus = loss(module, t, x, v, weights, mode);
                v[j] = at - eps;
                double minus = loss(module, t, x, v, weights, mode);
                v[j] = at;
                double numeric = (plus - minus) / (2 * eps);
                double err = Math.abs(a[j] - numeric);
                if (Double.isNaN(err) || err > worst) {
                    worst = err;
                    where = e.getKey() + " element " + j + " (analytic " + a[j] + ", numeric " + numeric + ")";
                }
                passed &= err <= atol + rtol * Math.abs(numeric);
            }
            t.assign(saved);
        }
        module.zeroGrad();
        return new GradCheck.Result(passed, worst, where);
    }

    private static double loss(Module module, Tensor target, Tensor x, double[] value, NdArray weights,
                               Supplier<Mode> mode) {
        target.assign(NdArray.of(value, target.shape()));
        try (var scope = GradMode.noGrad()) {
            return module.forward(x, mode.get()).mul(Tensor.of(weights)).sum().item();
        }
    }
}
