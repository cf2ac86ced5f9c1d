package descent.cli.lab;

import descent.cli.Hyperparameters;
import descent.cli.OptimizerNames;
import descent.data.Dataset;
import descent.init.Initializer;
import descent.nn.Activation;
import descent.nn.Linear;
import descent.nn.Module;
import descent.nn.Sequential;
import descent.nn.Standardize;
import descent.tensor.DType;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import descent.train.TrainStep;
import java.util.ArrayList;
import java.util.List;

/** Deep plain stacks for the depth experiments, and a bare training loop that stops at the first non-finite loss. */
public final class DeepNets {

    private DeepNets() {}

    /**
     * Standardize, then {@code depth} Linear layers (zero biases, weights from {@code init}) with
     * {@code activation} after every one but the last.
     */
    public static Sequential stack(Dataset train, int depth, int width, Activation activation, Initializer init,
                                   long seed) {
        Dataset.Moments m = train.moments(false);
        SplitMix64 rng = SplitMix64.derive(seed, "weights");
        List<Module> layers = new ArrayList<>();
        layers.add(new Standardize(m.mean(), m.std(), DType.FLOAT32));
        int in = train.featureSize();
        for (int i = 0; i < depth; i++) {
            int out = i + 1 == depth ? train.classes() : width;
            layers.add(new Linear(in, out, true, init, DType.FLOAT32, rng));
            if (i + 1 < depth) {
                layers.add(activation);
            }
            in = out;
        }
        return new Sequential(layers);
    }

    /**
     * Minibatch steps of {@code optimizer} in a seeded order; the training loss of every step, ending
     * early (the rest NaN) once the loss stops being finite.
     */
    public static double[] train(Module model, Dataset data, String optimizer, Hyperparameters h, int steps,
                                 int batch, long seed) {
        TrainStep stepper = new TrainStep(model, OptimizerNames.firstOrder(optimizer, h).over(model.trainableParameters()),
                LossFunction.crossEntropy());
        Batches batches = new Batches(data, batch, SplitMix64.derive(seed, "data order"), DType.FLOAT32);
        double[] losses = new double[steps];
        java.util.Arrays.fill(losses, Double.NaN);
        for (int s = 0; s < steps; s++) {
            losses[s] = batches.step(stepper);
            if (!Double.isFinite(losses[s])) {
                break;
            }
        }
        return losses;
    }

    /** 1, 2, ..., n as doubles, for plot axes. */
    public static double[] count(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
        }
        return x;
    }

    /** The step (1-based) at which the loss stopped being finite, or 0 if it never did. */
    public static int divergedAt(double[] losses) {
        for (int i = 0; i < losses.length; i++) {
            if (!Double.isFinite(losses[i])) {
                return i + 1;
            }
        }
        return 0;
    }

    /** The mean of the last {@code k} finite entries (NaN if none). */
    public static double tailMean(double[] v, int k) {
        double s = 0;
        int n = 0;
        for (int i = v.length - 1; i >= 0 && n < k; i--) {
            if (Double.isFinite(v[i])) {
                s += v[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
