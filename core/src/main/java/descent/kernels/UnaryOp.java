package descent.kernels;

/** Elementwise maps of one argument. Each is computed in the element type (float or double). */
public enum UnaryOp {
    COPY, NEG, EXP, LOG, SQRT, ABS, SIGN, RELU, SIGMOID, TANH;

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
        };
    }
}
