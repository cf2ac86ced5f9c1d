package descent.cli;

import descent.kernels.Kernels;
import descent.kernels.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * GFLOP/s of single-precision GEMM on square sizes and on the shapes an MNIST MLP trains with.
 * Each case is warmed up, then timed in samples long enough for the clock; the median, minimum and
 * maximum of the samples are reported.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "GFLOP/s of float32 GEMM (C = A·B) by shape and thread count.")
final class GemmBench implements Callable<Integer> {

    /** A case: C[m×n] = A[m×k]·B[k×n], or ·Bᵀ with B stored n×k as in backward passes. */
    record Shape(int m, int n, int k, boolean transposedB) {
        static Shape parse(String s) {
            String[] p = s.trim().split("[x,]");
            if (p.length < 3 || p.length > 4 || (p.length == 4 && !p[3].equalsIgnoreCase("T"))) {
                throw new IllegalArgumentException("shape '" + s + "' is not MxNxK or MxNxKxT");
            }
            return new Shape(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), p.length == 4);
        }

        String label() {
            return m + "x" + k + " · " + k + "x" + n + (transposedB ? "ᵀ" : "");
        }
    }

    static final List<String> DEFAULT_SHAPES = List.of("256x256x256", "512x512x512", "1024x1024x1024",
            "2048x2048x2048", "128x256x784", "128x128x256", "128x784x256xT", "128x10x256");

    @Option(names = "--shapes", split = ";", paramLabel = "MxNxK[xT]",
            description = "Shapes as MxNxK (C is MxN, inner size K), xT for B transposed; ';'-separated. "
                    + "Default: 256³, 512³, 1024³, 2048³ and the MLP shapes 128×784·784×256, 128×256·256×128, "
                    + "128×256·(784×256)ᵀ, and 128×256·256×10.")
    List<String> shapes = DEFAULT_SHAPES;

    @Option(names = "--threads", split = ",", description = "Thread counts to measure (default: 1,2).")
    int[] threads = {1, 2};

    @Option(names = "--repeats", description = "Timed samples per case (default: ${DEFAULT-VALUE}).")
    int repeats = 7;

    @Option(names = "--warmup-ms", description = "Warm-up time per case, in ms (default: ${DEFAULT-VALUE}).")
    int warmupMs = 2000;

    @Option(names = "--csv", description = "Print rows m,n,k,threads,gflops_median,gflops_min,gflops_max.")
    boolean csv;

    @Override
    public Integer call() {
        if (repeats < 1 || warmupMs < 0) {
            throw new IllegalArgumentException("--repeats must be at least 1 and --warmup-ms not negative");
        }
        List<Shape> cases = new ArrayList<>();
        for (String s : shapes) {
            cases.add(Shape.parse(s));
        }
        int previous = Parallel.threads();
        if (csv) {
            System.out.println("m,n,k,threads,gflops_median,gflops_min,gflops_max");
        } else {
            System.out.printf("float32 GEMM, kernels %s, %d cores%n", Kernels.get().name(),
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("%-28s %7s %10s %10s %10s%n", "shape (A · B)", "threads", "median", "min", "max");
        }
        try {
            for (Shape s : cases) {
                for (int t : threads) {
                    Parallel.setThreads(t);
                    double[] g = measure(s);
                    if (csv) {
                        System.out.printf("%d,%d,%d,%d,%.1f,%.1f,%.1f%n", s.m, s.n, s.k, t, g[0], g[1], g[2]);
                    } else {
                        System.out.printf("%-28s %7d %10.1f %10.1f %10.1f  GFLOP/s%n", s.label(), t, g[0], g[1], g[2]);
                    }
                    System.out.flush();
                }
            }
        } finally {
            Parallel.setThreads(previous);
        }
        return 0;
    }

    /** Median, min and max GFLOP/s. */
    private double[] measure(Shape s) {
        SplittableRandom rng = new SplittableRandom(1);
        float[] a = random(rng, s.m * s.k);
        float[] b = random(rng, s.k * s.n);
        float[] c = new float[s.m * s.n];
        int bRs = s.transposedB ? 1 : s.n;
        int bCs = s.transposedB ? s.k : 1;
        Kernels kernels = Kernels.get();
        Runnable once = () -> kernels.gemm(s.m, s.n, s.k, a, 0, s.k, 1, b, 0, bRs, bCs, c, 0, s.n, false);
        long warmEnd = System.nanoTime() + warmupMs * 1_000_000L;
        int calls = 0;
        do {
            once.run();
            calls++;
        } while (System.nanoTime() < warmEnd || calls < 3);
        double flops = 2.0 * s.m * s.n * s.k;
        // The JIT settles on its final GEMM code only after a second or two, hence the long warm-up.
        // Each sample lasts about 25 ms, so the clock's resolution does not matter.
        int inner = (int) Math.max(1, 2.5e-2 * 50e9 / flops);
        double[] gflops = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < inner; i++) {
                once.run();
            }
            gflops[r] = flops * inner / (System.nanoTime() - t0);
        }
        Arrays.sort(gflops);
        return new double[] {gflops[repeats / 2], gflops[0], gflops[repeats - 1]};
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextDouble() - 0.5);
        }
        return x;
    }
}
