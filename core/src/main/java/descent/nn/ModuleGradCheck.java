package descent.nn;

import descent.autograd.GradCheck;
import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
        try (var _ = GradMode.noGrad()) {
            weights = NdArray.randn(new SplittableRandom(17), DType.FLOAT64, module.forward(Tensor.of(input), mode.get()).shape());
        }
        Map<String, Tensor> targets = new LinkedHashMap<>();
        Tensor x = Tensor.param(input);
        targets.put("input", x);
        module.trainableParameters().forEach((n, p) -> targets.put("parameter " + n, p));

        module.zeroGrad();
        module.forward(x, mode.get()).mul(Tensor.of(weights)).sum().backward();

        List<String> names = new ArrayList<>(targets.keySet());
        List<Tensor> tensors = new ArrayList<>(targets.values());
        List<NdArray> saved = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        List<double[]> analytic = new ArrayList<>();
        for (Tensor t : tensors) {
            saved.add(t.value());
            values.add(t.value().toDoubleArray());
            analytic.add(t.grad() == null ? new double[t.size()] : t.grad().value().toDoubleArray());
        }
        GradCheck.Result result = GradCheck.compare(names, values, analytic, (k, v) -> {
            Tensor target = tensors.get(k);
            target.assign(NdArray.of(v, target.shape()));
            try (var _ = GradMode.noGrad()) {
                return module.forward(x, mode.get()).mul(Tensor.of(weights)).sum().item();
            } finally {
                target.assign(saved.get(k)); // only one tensor is ever off its value
            }
        }, eps, atol, rtol);
        module.zeroGrad();
        return result;
    }
}
