package descent.train;

/**
 * Training produced NaN or ±Inf. The message says at which step and where the value first
 * appeared: the output of a layer in the forward pass, the loss, or a parameter's gradient in the
 * backward pass.
 */
public final class NonFiniteException extends IllegalStateException {

    private final long step;
    private final int epoch;
    private final String where;

    public NonFiniteException(long step, int epoch, String where) {
        this(step, epoch, where, null);
    }

    /** The same report followed by {@code verdict}: why training gave up (after skips or rollbacks). */
    public NonFiniteException(long step, int epoch, String where, String verdict) {
        super("non-finite value at step " + step + " (epoch " + epoch + "): first in " + where
                + (verdict == null ? "" : "; " + verdict));
        this.step = step;
        this.epoch = epoch;
        this.where = where;
    }

    /** The optimizer step (1-based) whose forward or backward pass produced it. */
    public long step() {
        return step;
    }

    public int epoch() {
        return epoch;
    }

    /** A description such as "the output of layers.2 (Linear), forward pass". */
    public String where() {
        return where;
    }
}
