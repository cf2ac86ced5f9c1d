package descent.nn;

/** How a loss combines its per-example values. */
public enum Reduction {
    /** The average over examples (and elements, for elementwise losses). */
    MEAN,
    /** The sum. */
    SUM,
    /** No reduction: one value per example (or element). */
    NONE
}
