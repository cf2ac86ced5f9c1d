package descent.cli;

import descent.data.DataLoader;
import descent.data.Dataset;
import descent.kernels.Parallel;
import descent.nn.Mlp;
import descent.optim.Optimizer;
import descent.train.SplitMix64;
import descent.train.TrainStep;
import descent.train.Trainer;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Training throughput of the MLP 784-256-128-10 on MNIST-shaped random data: the trainer's own
 * loop (loader thread, forward, backward, non-finite check, optimizer step), one epoch per run,
 * median of several runs after a warm-up epoch. bench/train-vs-pytorch.sh runs PyTorch beside it.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training throughput (samples/s) of the MLP 784-256-128-10 over epochs of MNIST-shaped data.")
final class TrainBench implements Callable<Integer> {

    @Option(names = "--optimizer", split = ",", description = "Optimizers to measure (default: sgd,adam); sgd is "
            + "SGD with momentum 0.9 as in the PyTorch script.")
    List<String> optimizers = List.of("sgd", "adam");

    @Option(names = "--batch-size", description = "Minibatch size (default: ${DEFAULT-VALUE}).")
    int batchSize = 128;

    @Option(names = "--threads", split = ",", description = "Thread counts (default: the number of cores).")
    int[] threads = {Parallel.threads()};

    @Option(names = "--runs", description = "Timed epochs (default: ${DEFAULT-VALUE}).")
    int runs = 5;

    @Option(names = "--samples", description = "Examples per epoch (default: ${DEFAULT-VALUE}).")
    int samples = 60000;

    @Option(names = "--csv", description = "Print model,batch,threads,samples_per_second_median,_min,_max rows.")
    boolean csv;

    @Option(names = "--phases", description = "Then time one more epoch by phase: forward pass with the loss, "
            + "backward pass and optimizer step, in ms per batch.")
    boolean phases;

    @Override
    public Integer call() throws IOException {
        if (runs < 1 || samples < batchSize) {
            throw new IllegalArgumentException("--runs must be at least 1 and --samples at least one batch");
        }
        Dataset data = randomMnistShaped(samples);
        if (csv) {
            System.out.println("model,batch,threads,samples_per_second_median,samples_per_second_min,samples_per_second_max");
        }
        int previous = Parallel.threads();
        try {
            for (String opt : optimizers) {
                for (int t : threads) {
                    Parallel.setThreads(t);
                    double[] r = measure(opt, data);
                    String name = "mlp-784-256-128-10-" + opt + "-descent";
                    if (csv) {
                        System.out.printf(Locale.ROOT, "%s,%d,%d,%.0f,%.0f,%.0f%n", name, batchSize, t, r[0], r[1], r[2]);
                    } else {
                        System.out.printf(Locale.ROOT, "%s, batch %d, %d threads: %.0f samples/s median (min %.0f, "
                                + "max %.0f) over %d epochs of %d%n", name, batchSize, t, r[0], r[1], r[2], runs, samples);
                    }
                    System.out.flush();
                }
            }
        } finally {
            Parallel.setThreads(previous);
        }
        return 0;
    }

    private double[] measure(String optimizer, Dataset data) throws IOException {
        Mlp model = new Mlp(Mlp.Spec.of(784, 256, 128, 10), new SplitMix64(1));
        Hyperparameters h = optimizer.equals("sgd") ? Hyperparameters.of("lr", "0.01", "momentum", "0.9")
                : Hyperparameters.of("lr", "0.001");
        Optimizer opt = OptimizerNames.firstOrder(optimizer, h).over(model.trainableParameters());
        DataLoader loader = new DataLoader(data, batchSize, true, descent.data.Samplers.shuffled(), null);
        Trainer trainer = new Trainer(Trainer.Setup.of(model, opt, loader).withEpochs(runs + 1).withSeed(1));
        trainer.fit();
        double[] rates = trainer.history().stream().skip(1).mapToDouble(m -> m.samplesPerSecond()).sorted().toArray();
        if (phases) {
            printPhases(optimizer, trainer, loader, runs + 1);
        }
        return new double[] {rates[rates.length / 2], rates[0], rates[rates.length - 1]};
    }

    /** One more epoch of the trainer's own step, each phase timed on its own (to stderr with --csv). */
    private void printPhases(String optimizer, Trainer trainer, DataLoader loader, int epoch) {
        long forward = 0;
        long backward = 0;
        long check = 0;
        long step = 0;
        int batches = 0;
        try (DataLoader.Epoch e = loader.epoch(epoch, new SplitMix64(epoch), new SplitMix64(epoch + 1))) {
            while (e.hasNext()) {
                TrainStep.Result r = trainer.step(e.next());
                forward += r.forwardNanos();
                backward += r.backwardNanos();
                check += r.checkNanos();
                step += r.updateNanos();
                batches++;
            }
        }
        (csv ? System.err : System.out).printf(Locale.ROOT, "%s, per batch: forward and loss %.3f ms, backward %.3f ms, "
                + "finiteness check %.3f ms, optimizer step %.3f ms%n", optimizer, forward / 1e6 / batches,
                backward / 1e6 / batches, check / 1e6 / batches, step / 1e6 / batches);
    }

    /** Uniform [0, 1) pixels of 28×28 images and uniform labels, like the PyTorch script's data. */
    static Dataset randomMnistShaped(int n) {
        SplitMix64 rng = new SplitMix64(7);
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        int[] y = new int[n];
        Arrays.setAll(y, i -> rng.nextInt(10));
        return new Dataset("random", x, new int[] {784}, y, 10);
    }
}
