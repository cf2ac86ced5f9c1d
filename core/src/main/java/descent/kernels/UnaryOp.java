package descent.kernels;

/** Elementwise maps of one argument. Each is computed in the element type (float or double). */
public enum UnaryOp {
    COPY, NEG, EXP, LOG, SQRT, ABS, SIGN, RELU, SIGMOID, TANH, ERF, SIN, COS;

    /** The reference definition, in double precision. */
    public double apply(double x) {
        return switch (this) {
            case COPY -> x;
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case RELU -> Math.max(x, 0.0); // NaN stays NaN, so non-finite values can be traced
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case ERF -> erf(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
        };
    }

    /**
     * The error function to double precision, from the series
     * erf(x) = (2/√π)·e^(−x²)·Σₙ 2ⁿx^(2n+1) / (1·3·…·(2n+1)), whose terms are all positive, so
     * nothing cancels. Beyond |x| = 6, erf differs from ±1 by less than 1e-16.
     */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (Math.abs(x) >= 6) {
            return Math.signum(x);
        }
        double twoXSquared = 2 * x * x;
        double term = x;
        double sum = x;
        for (int n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
            term *= twoXSquared / (2 * n + 1);
            sum += term;
        }
        return 2 / Math.sqrt(Math.PI) * Math.exp(-x * x) * sum;
    }
}
