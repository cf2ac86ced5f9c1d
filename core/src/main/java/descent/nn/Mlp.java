package descent.nn;

import descent.autograd.Tensor;
import descent.init.FanMode;
import descent.init.Init;
import descent.init.Initializer;
import descent.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A multi-layer perceptron: for each hidden size, Linear → [BatchNorm1d] → activation →
 * [Dropout], then a Linear output layer giving logits. Layers live in the child {@code layers},
 * so parameters are named {@code layers.0.weight}, {@code layers.0.bias}, ....
 */
public final class Mlp extends Module {

    /**
     * The architecture.
     *
     * @param sizes               input size, hidden sizes, output size
     * @param activation          the hidden nonlinearity
     * @param weightInit          for every weight; null means Kaiming normal with the activation's gain
     * @param batchNorm           a BatchNorm1d after each hidden Linear
     * @param dropout             dropout probability after each hidden activation (0 for none)
     * @param biasBeforeBatchNorm keep the bias of Linear layers followed by batch norm, which would
     *                            cancel it (off by default: β plays its role)
     * @param dtype               of every parameter
     * @param batchNormMomentum   how batch norm's running statistics follow the batches (PyTorch's
     *                            momentum 0.1 on the new batch by default)
     * @param dropoutForm         where dropout's 1/(1 − p) correction goes (inverted by default)
     */
    public record Spec(int[] sizes, Activation activation, Initializer weightInit, boolean batchNorm, double dropout,
                       boolean biasBeforeBatchNorm, DType dtype, BatchNorm1d.Momentum batchNormMomentum,
                       Dropout.Form dropoutForm) {
        public Spec {
            if (sizes.length < 2) {
                throw new IllegalArgumentException("Mlp: needs at least input and output sizes, got "
                        + Arrays.toString(sizes));
            }
            sizes = sizes.clone();
            if (!(dropout >= 0 && dropout <= 1)) { // refused here, not when the first layer is built
                throw new IllegalArgumentException("Mlp: dropout must be in [0, 1], got " + dropout);
            }
            Objects.requireNonNull(batchNormMomentum, "batchNormMomentum");
            Objects.requireNonNull(dropoutForm, "dropoutForm");
        }

        /** ReLU, Kaiming normal, no batch norm or dropout, float32. */
        public static Spec of(int... sizes) {
            return new Spec(sizes, Activation.relu(), null, false, 0, false, DType.FLOAT32,
                    BatchNorm1d.Momentum.pytorch(0.1), Dropout.Form.INVERTED);
        }

        public Spec withActivation(Activation a) {
            return new Spec(sizes, a, weightInit, batchNorm, dropout, biasBeforeBatchNorm, dtype, batchNormMomentum,
                    dropoutForm);
        }

        public Spec withInit(Initializer init) {
            return new Spec(sizes, activation, init, batchNorm, dropout, biasBeforeBatchNorm, dtype,
                    batchNormMomentum, dropoutForm);
        }

        public Spec withBatchNorm(boolean on) {
            return new Spec(sizes, activation, weightInit, on, dropout, biasBeforeBatchNorm, dtype,
                    batchNormMomentum, dropoutForm);
        }

        public Spec withDropout(double p) {
            return new Spec(sizes, activation, weightInit, batchNorm, p, biasBeforeBatchNorm, dtype,
                    batchNormMomentum, dropoutForm);
        }

        public Spec withBiasBeforeBatchNorm(boolean on) {
            return new Spec(sizes, activation, weightInit, batchNorm, dropout, on, dtype, batchNormMomentum,
                    dropoutForm);
        }

        public Spec withDtype(DType d) {
            return new Spec(sizes, activation, weightInit, batchNorm, dropout, biasBeforeBatchNorm, d,
                    batchNormMomentum, dropoutForm);
        }

        public Spec withBatchNormMomentum(BatchNorm1d.Momentum m) {
            return new Spec(sizes, activation, weightInit, batchNorm, dropout, biasBeforeBatchNorm, dtype, m,
                    dropoutForm);
        }

        public Spec withDropoutForm(Dropout.Form f) {
            return new Spec(sizes, activation, weightInit, batchNorm, dropout, biasBeforeBatchNorm, dtype,
                    batchNormMomentum, f);
        }

        /** The initializer actually used. */
        public Initializer effectiveInit() {
            return weightInit != null ? weightInit : Init.kaimingNormal(FanMode.FAN_IN, activation.gain());
        }
    }

    private final Spec spec;
    private final Sequential layers;

    public Mlp(Spec spec, RandomGenerator rng) {
        this.spec = spec;
        Initializer init = spec.effectiveInit();
        int[] s = spec.sizes();
        List<Module> list = new ArrayList<>();
        for (int i = 0; i + 2 < s.length; i++) {
            list.add(new Linear(s[i], s[i + 1], !spec.batchNorm() || spec.biasBeforeBatchNorm(), init, spec.dtype(), rng));
            if (spec.batchNorm()) {
                list.add(new BatchNorm1d(s[i + 1], 1e-5, spec.batchNormMomentum(), true, spec.dtype()));
            }
            list.add(spec.activation());
            if (spec.dropout() > 0) {
                list.add(new Dropout(spec.dropout(), spec.dropoutForm()));
            }
        }
        list.add(new Linear(s[s.length - 2], s[s.length - 1], true, init, spec.dtype(), rng));
        this.layers = registerModule("layers", new Sequential(list));
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        return forwardChild("layers", x, mode);
    }

    public Spec spec() {
        return spec;
    }

    public Sequential layers() {
        return layers;
    }

    /** The Linear layers in order, input first. */
    public List<Linear> linearLayers() {
        List<Linear> out = new ArrayList<>();
        for (Module m : layers.layers()) {
            if (m instanceof Linear l) {
                out.add(l);
            }
        }
        return out;
    }
}
