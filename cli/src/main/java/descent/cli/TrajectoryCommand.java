package descent.cli;

import descent.autograd.Tensor;
import descent.cli.plot.ContourPlot;
import descent.io.AtomicFiles;
import descent.optim.Continuation;
import descent.optim.Objective;
import descent.optim.Schedules;
import descent.problems.TestFunction;
import descent.problems.Trajectory;
import descent.tensor.NdArray;
import descent.train.SplitMix64;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs optimizers on a built-in 2-D function in float64 and writes their paths as CSV and,
 * optionally, a contour plot.
 */
@Command(name = "trajectory", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run optimizers on a 2-D function and write step,x,y,f rows (step 0 = start).",
            "With several --optimizer values the CSV gains a first column, optimizer.",
            "Hyper-parameters apply to every optimizer; NAME:key=value;key=value sets them for one "
                    + "(PyTorch's names: adam:lr=0.1;beta1=0.8)."})
final class TrajectoryCommand implements Callable<Integer> {

    @Option(names = "--optimizer", required = true, description = "gd, sgd, momentum, nesterov, nesterov-lookahead, "
            + "adam, amsgrad, adamw, adagrad, rmsprop, adadelta, cg, bfgs, lbfgs, newton, damped-newton, "
            + "saddle-free-newton, newton-cg, coordinate-descent (repeatable); for the last eight each row is one "
            + "iteration.")
    List<String> optimizers;

    @Option(names = "--function", description = "ellipse, quadratic, rosenbrock, beale, himmelblau, saddle, booth, "
            + "rastrigin (default: ${DEFAULT-VALUE}).")
    String function = "rosenbrock";

    @Option(names = "--kappa", description = "Condition number of the ellipse ½(x² + κy²) (default: ${DEFAULT-VALUE}).")
    double kappa = 10;

    @Option(names = "--P", split = ",", description = "Quadratic ½θᵀPθ + qᵀθ: P as a,b,c,d (default: 1,0,0,10).")
    double[] p = {1, 0, 0, 10};

    @Option(names = "--q", split = ",", description = "Quadratic's q as e,f (default: 0,0).")
    double[] q = {0, 0};

    @Option(names = "--start", split = ",", description = "Start x,y (default: the function's classic start).")
    double[] start;

    @Option(names = "--steps", description = "Steps (default: ${DEFAULT-VALUE}).")
    int steps = 100;

    @Option(names = "--out", description = "CSV file to write (default: standard output).")
    Path out;

    @Option(names = "--plot", description = "PNG contour plot with the paths (default: none).")
    Path plot;

    @picocli.CommandLine.Mixin
    HyperparameterOptions hyper;

    @Option(names = "--seed", description = "Seed of coordinate descent's random order and of --continuation's samples "
            + "(default: 0).") Long seed;

    @Option(names = "--continuation", paramLabel = "smooth:SIGMA:STEPS[:PAIRS]", description = "Step on the function "
            + "blurred by a Gaussian of width σ, estimated with PAIRS antithetic pairs of samples a step (default 8), σ "
            + "falling linearly from SIGMA to 0 over STEPS steps; then the function itself (default: off).")
    String continuation;

    @Override
    public Integer call() throws Exception {
        TestFunction fn = TestFunction.byName(function, kappa, p, q);
        if (seed != null && continuation == null && optimizers.stream().noneMatch(o -> o.startsWith("coordinate-descent"))) {
            throw new IllegalArgumentException("--seed seeds coordinate descent's random order and --continuation's "
                    + "samples; neither is used here, so it would change nothing");
        }
        double[] from = start != null ? start : defaultStart(fn.name());
        if (from.length != 2) {
            throw new IllegalArgumentException("--start needs two numbers, x,y");
        }
        Map<String, List<Trajectory.Point>> runs = new LinkedHashMap<>();
        for (String spec : optimizers) {
            String[] parts = spec.split(":", 2);
            Map<String, String> h = common(parts[0]);
            if (parts.length > 1) {
                for (String kv : parts[1].split(";")) {
                    String[] e = kv.split("=", 2);
                    if (e.length != 2) {
                        throw new IllegalArgumentException("--optimizer " + spec + ": expected key=value, got '" + kv + "'");
                    }
                    h.put(e[0].trim(), e[1].trim());
                }
            }
            runs.put(spec, Trajectory.run(fn, from, steps,
                    params -> OptimizerNames.minimizer(parts[0], new Hyperparameters(h), params), continuation()));
        }
        String csv = csv(runs);
        if (out != null) {
            AtomicFiles.writeString(out, csv);
        } else {
            System.out.print(csv);
        }
        if (plot != null) {
            ContourPlot chart = new ContourPlot(fn.name() + ", " + steps + " steps",
                    (x, y) -> fn.apply(Tensor.of(NdArray.of(new double[] {x, y}, 2))).item());
            runs.forEach((name, points) -> chart.path(name, points.stream().map(pt -> new double[] {pt.x(), pt.y()}).toList()));
            fn.minima().forEach(m -> chart.marker(m[0], m[1]));
            chart.write(plot, 900, 750);
        }
        for (Map.Entry<String, List<Trajectory.Point>> e : runs.entrySet()) {
            Trajectory.Point last = e.getValue().getLast();
            System.err.printf(Locale.ROOT, "%s: after %d steps at (%.6g, %.6g), f = %.6g%n", e.getKey(), last.step(),
                    last.x(), last.y(), last.f());
        }
        return 0;
    }

    /** The continuation that {@code --continuation} names, or null. */
    private BiFunction<Map<String, Tensor>, Objective, Continuation> continuation() {
        if (continuation == null) {
            return null;
        }
        String[] p = continuation.split(":");
        if (!p[0].equals("smooth") || p.length < 3 || p.length > 4) {
            throw new IllegalArgumentException("--continuation takes smooth:SIGMA:STEPS[:PAIRS], got " + continuation);
        }
        double sigma;
        long length;
        int pairs;
        try {
            sigma = Double.parseDouble(p[1]);
            length = Long.parseLong(p[2]);
            pairs = p.length > 3 ? Integer.parseInt(p[3]) : 8;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--continuation smooth:SIGMA:STEPS[:PAIRS] needs numbers, got " + continuation);
        }
        if (!(sigma > 0) || length < 1 || pairs < 1) {
            throw new IllegalArgumentException("--continuation smooth:SIGMA:STEPS[:PAIRS] needs SIGMA > 0, STEPS >= 1 and "
                    + "PAIRS >= 1, got " + continuation);
        }
        long s = seed != null ? seed : 0;
        return (params, objective) -> new Continuation(Continuation.gaussianSmoothing(params, objective, pairs,
                SplitMix64.derive(s, "continuation")), Schedules.polynomial(sigma, 0, 1, length));
    }

    private Map<String, String> common(String optimizer) {
        Map<String, String> h = hyper.values();
        if (seed != null && optimizer.equals("coordinate-descent")) {
            h.put("seed", seed.toString());
        }
        return h;
    }

    private static double[] defaultStart(String function) {
        return switch (function) {
            case "rosenbrock" -> new double[] {-1.2, 1};
            case "beale" -> new double[] {1, 1.5};
            case "himmelblau" -> new double[] {0, 0};
            case "saddle" -> new double[] {1, 0.01};
            case "booth" -> new double[] {-2, -2};
            default -> new double[] {2, 1};
        };
    }

    private static String csv(Map<String, List<Trajectory.Point>> runs) {
        boolean several = runs.size() > 1;
        StringBuilder sb = new StringBuilder(several ? "optimizer,step,x,y,f\n" : "step,x,y,f\n");
        runs.forEach((name, points) -> {
            for (Trajectory.Point pt : points) {
                if (several) {
                    sb.append('"').append(name.replace("\"", "\"\"")).append("\",");
                }
                sb.append(pt.step()).append(',').append(pt.x()).append(',').append(pt.y()).append(',').append(pt.f())
                        .append('\n');
            }
        });
        return sb.toString();
    }
}
