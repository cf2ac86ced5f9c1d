import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Two builds of Descent in one JVM, each in its own class loader, running `descent bench train`
 * by turns, so that both see the same machine at the same moments: on a shared machine whose speed
 * drifts by ±20 % over minutes, this tells a change of a few percent from noise where two separate
 * runs cannot. Each turn times one epoch of 10,000 samples (after an untimed one), so the turns
 * are a fraction of a second apart. Run by bench/train-ab.sh; prints each round and the median of
 * the per-round ratios.
 *
 *   java --add-modules jdk.incubator.vector bench/TrainAB.java BASE_TARGET NEW_TARGET ROUNDS OPTIMIZER
 */
public class TrainAB {

    public static void main(String[] args) throws Exception {
        Method[] builds = {runner(Path.of(args[0])), runner(Path.of(args[1]))};
        int rounds = Integer.parseInt(args[2]);
        String optimizer = args[3];
        String[] bench = {"bench", "train", "--csv", "--optimizer", optimizer, "--runs", "1", "--samples", "10000"};
        double[][] rates = new double[2][rounds];
        double[] ratios = new double[rounds];
        PrintStream out = System.out;
        out.println("round,base_samples_per_second,new_samples_per_second,ratio");
        // Round 0 warms both builds up and is not counted; the order alternates against drift.
        for (int round = -1; round < rounds; round++) {
            double[] r = new double[2];
            for (int turn = 0; turn < 2; turn++) {
                int b = (round & 1) == 0 ? turn : 1 - turn;
                ByteArrayOutputStream captured = new ByteArrayOutputStream();
                System.setOut(new PrintStream(captured));
                try {
                    builds[b].invoke(null, (Object) bench);
                } finally {
                    System.setOut(out);
                }
                String[] lines = captured.toString().trim().split("\n");
                r[b] = Double.parseDouble(lines[lines.length - 1].split(",")[3]);
            }
            if (round >= 0) {
                rates[0][round] = r[0];
                rates[1][round] = r[1];
                ratios[round] = r[1] / r[0];
                out.printf("%d,%.0f,%.0f,%.3f%n", round + 1, r[0], r[1], ratios[round]);
            }
        }
        out.printf("%s: base %.0f samples/s, new %.0f samples/s (medians); new/base %.3f (median of %d rounds)%n",
                optimizer, median(rates[0]), median(rates[1]), median(ratios), rounds);
    }

    /** The command line's entry point, loaded from a build's cli/target (the jar and its lib/). */
    private static Method runner(Path target) throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(target.resolve("descent-cli.jar").toUri().toURL());
        try (Stream<Path> libs = Files.list(target.resolve("lib"))) {
            for (Path p : libs.sorted().toList()) {
                urls.add(p.toUri().toURL());
            }
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        Method run = loader.loadClass("descent.cli.Main").getDeclaredMethod("run", String[].class);
        run.setAccessible(true);
        return run;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
