package descent.cli.lab.experiments;

import descent.autograd.Tensor;
import descent.cli.lab.Csv;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.plot.ContourPlot;
import descent.cli.plot.LinePlot;
import descent.optim.Continuation;
import descent.optim.Optimizers;
import descent.optim.Schedules;
import descent.problems.TestFunction;
import descent.problems.Trajectory;
import descent.tensor.NdArray;
import descent.train.SplitMix64;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** Gradient descent on Rastrigin's function, on the function itself and on a blur of it annealed to the function. */
final class ContinuationExperiment {

    static final Experiment EXPERIMENT = new Experiment("continuation", "Continuation: a blurred objective, sharpened",
            "A continuation method optimizes a series of objectives instead of one: the first easy, the last the real "
            + "one, each solution the start of the next, so the method spends its time in well-behaved regions (the "
            + "Deep Learning Book, §8.7.6). Rastrigin's function is a bowl covered in ripples, with a local minimum "
            + "near every integer point: gradient descent stops in the basin it starts in. Blurred by a Gaussian of "
            + "width σ the ripples fade (their amplitude falls as e^(−2π²σ²)) and the bowl stays; gradient descent on "
            + "the blur, estimated by sampling, with σ annealed to 0, follows the bowl to the global minimum.",
            ContinuationExperiment::run);

    private static final double LR = 0.002;
    private static final double SIGMA = 1.0;
    private static final int PAIRS = 8;
    private static final double BOX = 5;

    private ContinuationExperiment() {}

    private static void run(Lab lab) throws IOException {
        int starts = lab.size(100, 8);
        int steps = lab.size(3000, 300);
        int anneal = steps * 3 / 4;
        TestFunction fn = TestFunction.rastrigin();
        SplitMix64 rng = SplitMix64.derive(lab.seed(), "starts");
        Csv csv = new Csv("start,x0,y0,method,x,y,f");
        double[][] meanF = new double[2][steps + 1];
        int stayedInBasin = 0;
        int[] global = new int[2];
        ContourPlot contour = new ContourPlot("Rastrigin: plain gradient descent (stops nearby) and continuation (reaches "
                + "the origin)", (x, y) -> fn.apply(Tensor.of(NdArray.of(new double[] {x, y}, 2))).item());
        for (int s = 0; s < starts; s++) {
            double[] start = {(2 * rng.nextDouble() - 1) * BOX, (2 * rng.nextDouble() - 1) * BOX};
            SplitMix64 noise = SplitMix64.derive(lab.seed(), "blur " + s);
            List<Trajectory.Point> plain = Trajectory.run(fn, start, steps, p -> Optimizers.sgd(LR).over(p));
            List<Trajectory.Point> blurred = Trajectory.run(fn, start, steps, p -> Optimizers.sgd(LR).over(p),
                    (p, objective) -> new Continuation(Continuation.gaussianSmoothing(p, objective, PAIRS, noise),
                            Schedules.polynomial(SIGMA, 0, 1, anneal)));
            List<List<Trajectory.Point>> runs = List.of(plain, blurred);
            for (int m = 0; m < 2; m++) {
                List<Trajectory.Point> path = runs.get(m);
                Trajectory.Point end = path.getLast();
                csv.row(s, start[0], start[1], m == 0 ? "plain" : "continuation", end.x(), end.y(), end.f());
                for (int t = 0; t <= steps; t++) {
                    meanF[m][t] += path.get(t).f() / starts;
                }
                if (Math.max(Math.abs(end.x()), Math.abs(end.y())) < 0.05) {
                    global[m]++;
                }
                if (s < 3) {
                    contour.path((m == 0 ? "plain" : "continuation") + " from (" + Csv.num(start[0]) + ", "
                            + Csv.num(start[1]) + ")", path.stream().map(pt -> new double[] {pt.x(), pt.y()}).toList());
                }
            }
            // A local minimum of Rastrigin lies within 0.05 of each integer point: the cell a start is in.
            Trajectory.Point end = plain.getLast();
            if (Math.abs(end.x() - Math.rint(start[0])) < 0.1 && Math.abs(end.y() - Math.rint(start[1])) < 0.1) {
                stayedInBasin++;
            }
        }
        contour.marker(0, 0);
        lab.csv("ends.csv", csv);
        lab.figure("paths.png", "Paths from three starts: plain descent stops at the nearest ripple, the annealed "
                + "blur carries the point down the bowl", f -> contour.write(f, 900, 750));
        LinePlot plot = new LinePlot("Mean f over " + starts + " starts", "step", "f (log scale)").logY();
        plot.series("plain gradient descent", count(steps + 1), meanF[0]);
        plot.series("continuation (σ from " + SIGMA + " to 0 over " + anneal + " steps)", count(steps + 1), meanF[1]);
        lab.figure("loss.png", "The real objective along the way: continuation pays early, while the blur is wide, "
                + "and ends far lower", f -> plot.write(f, 900, 520));
        double plainShare = (double) global[0] / starts;
        double blurShare = (double) global[1] / starts;
        double inBasin = (double) stayedInBasin / starts;
        lab.verdict("plain gradient descent: share of starts that end at the local minimum of the cell they start in",
                pct(inBasin), "≈ 100 % (small steps never leave a basin) — at least 90 %", inBasin >= 0.9);
        lab.verdict("plain gradient descent: share of starts that reach the global minimum", pct(plainShare),
                "≈ the share of starts in its cell, (1/" + (int) (2 * BOX) + ")² = 1 % — at most 5 %", plainShare <= 0.05);
        lab.verdict("continuation: share of starts that reach the global minimum", pct(blurShare),
                "most of them (the blur is one bowl) — at least 80 %", blurShare >= 0.8);
        lab.table("Where " + starts + " starts in [−" + (int) BOX + ", " + (int) BOX + "]² end after " + steps + " steps",
                List.of("method", "reach the global minimum", "mean final f"), List.of(
                        List.of("plain gradient descent (lr " + LR + ")", pct(plainShare), Csv.num(meanF[0][steps])),
                        List.of("continuation (" + 2 * PAIRS + " samples a step)", pct(blurShare),
                                Csv.num(meanF[1][steps]))));
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * share);
    }

    private static double[] count(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }
}
