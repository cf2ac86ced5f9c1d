package descent.diagnostics;

import descent.tensor.NdArray;

/**
 * Summary of one array: its Frobenius norm, the mean and the (population) variance of its
 * elements, and how many there are. Computed in float64 with two passes, so the variance of a
 * large, nearly constant array does not cancel to garbage.
 */
public record TensorStats(double norm, double mean, double variance, int count) {

    public static TensorStats of(NdArray a) {
        double[] v = a.toDoubleArray();
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        double mean = v.length == 0 ? 0 : sum / v.length;
        double squares = 0;
        double deviations = 0;
        for (double x : v) {
            squares += x * x;
            deviations += (x - mean) * (x - mean);
        }
        return new TensorStats(Math.sqrt(squares), mean, v.length == 0 ? 0 : deviations / v.length, v.length);
    }

    /**
     * The norm per row of a batch, √(‖A‖²/rows): the root-mean-square of the examples' norms, which
     * does not grow with the batch size.
     */
    public double normPerRow(int rows) {
        return norm / Math.sqrt(Math.max(rows, 1));
    }
}
