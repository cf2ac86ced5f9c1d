package descent.cli.lab.experiments;

import descent.autograd.Tensor;
import descent.cli.lab.Csv;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.plot.LinePlot;
import descent.init.Init;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.SplitMix64;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The notes' deep linear network with identical diagonalizable weights: components grow or vanish as λᵏ. */
final class DeepLinear {

    static final Experiment EXPERIMENT = new Experiment("deep-linear", "A deep linear network: λᵏ",
            "Take k linear layers (identity activation, zero biases) with the same square weight matrix W = Q·diag(λ)·Qᵀ. "
            + "Then Wᵏx = Σ λᵢᵏ (eᵢ·x) eᵢ: the component of the input along each eigenvector is multiplied by "
            + "λᵢᵏ. Any λ > 1 explodes and any λ < 1 vanishes as depth grows — the simplest picture of exploding and "
            + "vanishing signals and gradients.", DeepLinear::run);

    private static final double[] LAMBDA = {1.1, 1.0, 0.9, 0.6};

    private DeepLinear() {}

    private static void run(Lab lab) throws IOException {
        int d = LAMBDA.length;
        int depth = lab.size(40, 20);
        SplitMix64 rng = SplitMix64.derive(lab.seed(), "weights");
        NdArray q = Init.orthogonal().sample(DType.FLOAT64, rng, d, d);
        NdArray w = q.matmul(NdArray.of(diag(LAMBDA), d, d)).matmul(q.transpose(0, 1));
        Tensor weight = Tensor.of(w);
        NdArray x0 = NdArray.randn(rng, DType.FLOAT64, d);
        double[] start = project(q, x0);
        Csv csv = new Csv("layer,eigenvalue,measured_component,predicted_component");
        LinePlot plot = new LinePlot("|component along each eigenvector| after k layers", "k", "magnitude (log scale)").logY();
        double[][] measured = new double[d][depth + 1];
        double[][] predicted = new double[d][depth + 1];
        double[] norm = new double[depth + 1];
        Tensor h = Tensor.of(x0.reshape(d, 1));
        double worst = 0;
        for (int k = 0; k <= depth; k++) {
            double[] c = project(q, h.value().reshape(d));
            norm[k] = Math.sqrt(dot(c, c));
            for (int i = 0; i < d; i++) {
                measured[i][k] = Math.abs(c[i]);
                predicted[i][k] = Math.abs(Math.pow(LAMBDA[i], k) * start[i]);
                csv.row(k, LAMBDA[i], c[i], Math.pow(LAMBDA[i], k) * start[i]);
                // Rounding error scales with the whole vector, so tiny components are judged against ‖h‖.
                worst = Math.max(worst, Math.abs(c[i] - Math.pow(LAMBDA[i], k) * start[i]) / norm[k]);
            }
            h = weight.matmul(h);
        }
        double[] ks = new double[depth + 1];
        for (int k = 0; k <= depth; k++) {
            ks[k] = k;
        }
        for (int i = 0; i < d; i++) {
            plot.series(String.format(Locale.ROOT, "λ = %.1f", LAMBDA[i]), ks, measured[i]);
        }
        plot.series("‖Wᵏx‖", ks, norm);
        lab.verdict("largest error of a component against λᵢᵏ(eᵢ·x) over " + depth + " layers, relative to ‖Wᵏx‖",
                String.format(Locale.ROOT, "%.2e", worst), "< 1e-12 (float64 rounding only)", worst < 1e-12);
        double growth = Math.log(norm[depth] / norm[depth - 10]) / 10;
        lab.verdict("per-layer growth of ‖Wᵏx‖ over the last 10 layers", Csv.num(Math.exp(growth)),
                "→ λ_max = " + LAMBDA[0] + " (the largest eigenvalue takes over)", Math.abs(Math.exp(growth) - LAMBDA[0]) < 0.01);
        double vanish = measured[d - 1][depth] / measured[d - 1][0];
        lab.verdict("component along λ = " + LAMBDA[d - 1] + " after " + depth + " layers, relative to the input",
                String.format(Locale.ROOT, "%.3e", vanish), String.format(Locale.ROOT, "%.3e = %.1f^%d", Math.pow(LAMBDA[d - 1],
                        depth), LAMBDA[d - 1], depth), Math.abs(vanish / Math.pow(LAMBDA[d - 1], depth) - 1) < 1e-3);
        lab.csv("components.csv", csv);
        lab.figure("components.png", "Components of Wᵏx along the eigenvectors: straight lines of slope ln λ on a log scale",
                f -> plot.write(f, 900, 520));
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            rows.add(List.of(Double.toString(LAMBDA[i]), Csv.num(start[i]), Csv.num(measured[i][depth]),
                    Csv.num(predicted[i][depth])));
        }
        lab.table("After " + depth + " layers", List.of("λ", "eᵢ·x", "|component| measured", "|λᵏ·eᵢ·x|"), rows);
    }

    private static double[] diag(double[] v) {
        double[] m = new double[v.length * v.length];
        for (int i = 0; i < v.length; i++) {
            m[i * v.length + i] = v[i];
        }
        return m;
    }

    /** The coordinates of x in the eigenbasis: Qᵀx (Q's columns are the eigenvectors). */
    private static double[] project(NdArray q, NdArray x) {
        return q.transpose(0, 1).matmul(x.reshape(x.size(), 1)).toDoubleArray();
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
