package descent.cli;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job. Until the MNIST data pipeline and trainer land, this trains a small MLP on a
 * built-in three-arm spiral data set by full-batch gradient descent, end to end through the
 * library's tensors, GEMM kernels and autodiff, and prints loss and accuracy per epoch.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a network. For now: a built-in demo, an MLP on three interleaved spirals "
                + "(MNIST training comes with the data pipeline).")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--epochs", description = "Full-batch gradient steps (default: ${DEFAULT-VALUE}).")
    int epochs = 400;

    @Option(names = "--hidden", split = ",", description = "Hidden layer sizes (default: 64,64).")
    int[] hidden = {64, 64};

    @Option(names = "--lr", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr = 0.5;

    @Option(names = "--seed", description = "Random seed for data and weights (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--points", description = "Points per spiral arm (default: ${DEFAULT-VALUE}).")
    int points = 200;

    @Override
    public Integer call() {
        SplittableRandom rng = new SplittableRandom(seed);
        int classes = 3;
        int n = points * classes;
        double[] xy = new double[n * 2];
        double[] labels = new double[n];
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < points; i++) {
                double r = (double) i / points;
                double angle = c * 2 * Math.PI / classes + 4 * r + rng.nextGaussian() * 0.2;
                int row = c * points + i;
                xy[2 * row] = r * Math.cos(angle);
                xy[2 * row + 1] = r * Math.sin(angle);
                labels[row] = c;
            }
        }
        Tensor x = Tensor.of(NdArray.of(xy, n, 2).astype(DType.FLOAT32));
        NdArray y = NdArray.of(labels, n, 1).astype(DType.FLOAT32);

        List<Tensor> params = new ArrayList<>();
        int fanIn = 2;
        for (int width : concat(hidden, classes)) {
            // He initialization: variance 2/fan_in keeps ReLU activations at a constant scale.
            params.add(Tensor.param(NdArray.randn(rng, DType.FLOAT32, fanIn, width).mul(Math.sqrt(2.0 / fanIn))));
            params.add(Tensor.param(NdArray.zeros(DType.FLOAT32, width)));
            fanIn = width;
        }
        System.out.printf("Demo: MLP 2-%s-%d on %d spiral points, full-batch gradient descent, lr %.3g%n",
                joined(hidden), classes, n, lr);
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Tensor logits = x;
            for (int l = 0; l < params.size(); l += 2) {
                logits = logits.matmul(params.get(l)).add(params.get(l + 1));
                if (l + 2 < params.size()) {
                    logits = logits.relu();
                }
            }
            Tensor loss = logits.logSoftmax(1).gather(1, y).mean().neg();
            for (Tensor p : params) {
                p.zeroGrad();
            }
            loss.backward();
            try (var _ = GradMode.noGrad()) {
                for (int i = 0; i < params.size(); i++) {
                    Tensor p = params.get(i);
                    params.set(i, Tensor.param(p.value().sub(p.grad().value().mul(lr))));
                }
            }
            if (epoch == 1 || epoch % Math.max(1, epochs / 10) == 0 || epoch == epochs) {
                double accuracy = logits.argmax(1, true).value().zip(descent.kernels.BinaryOp.EQ, y)
                        .sum(false).item() / n;
                System.out.printf("epoch %4d  loss %.4f  accuracy %5.1f%%%n", epoch, loss.item(), 100 * accuracy);
            }
        }
        System.out.printf("done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static int[] concat(int[] a, int last) {
        int[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = last;
        return out;
    }

    private static String joined(int[] sizes) {
        StringBuilder sb = new StringBuilder();
        for (int s : sizes) {
            sb.append(sb.isEmpty() ? "" : "-").append(s);
        }
        return sb.toString();
    }
}
