package descent.train;

/**
 * What a {@link Trainer} does when a step's loss or a gradient is NaN or ±Inf (the step's
 * {@link NonFiniteException} names the layer, the step and the pass):
 * <ul>
 * <li>{@link Action#STOP}: training ends with that exception.
 * <li>{@link Action#SKIP_STEP}: the step's update is discarded (the optimizer has not moved) and
 *     training goes on with the next batch; after {@code limit} non-finite steps in a row it ends,
 *     since then the weights or the learning rate are at fault rather than a batch.
 * <li>{@link Action#ROLLBACK}: the run returns to its last checkpoint and the learning rate is
 *     halved ({@link descent.optim.Optimizer#scaleLearningRate}, saved with the optimizer's state);
 *     once it has been halved {@code limit} times, the next divergence ends training.
 * </ul>
 *
 * @param limit non-finite steps in a row that skip-step tolerates, or halvings that rollback makes
 */
public record OnNonFinite(Action action, int limit) {

    public enum Action {
        STOP("stop"), SKIP_STEP("skip-step"), ROLLBACK("rollback");

        private final String flag;

        Action(String flag) {
            this.flag = flag;
        }

        /** The name on the command line and in config.json: stop, skip-step, rollback. */
        public String flag() {
            return flag;
        }

        /** The action named {@code flag}; the message lists the names. */
        public static Action of(String flag) {
            for (Action a : values()) {
                if (a.flag.equals(flag)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown non-finite action '" + flag + "': use stop, skip-step or rollback");
        }
    }

    /** How many skips in a row, or halvings, before training ends. */
    public static final int DEFAULT_LIMIT = 3;

    public OnNonFinite {
        if (limit < 0) {
            throw new IllegalArgumentException("non-finite limit must be at least 0, got " + limit);
        }
    }

    public static OnNonFinite stop() {
        return new OnNonFinite(Action.STOP, 0);
    }

    /** Skip-step, ending after {@value #DEFAULT_LIMIT} non-finite steps in a row. */
    public static OnNonFinite skipStep() {
        return new OnNonFinite(Action.SKIP_STEP, DEFAULT_LIMIT);
    }

    /** Rollback, halving the learning rate at most {@value #DEFAULT_LIMIT} times. */
    public static OnNonFinite rollback() {
        return new OnNonFinite(Action.ROLLBACK, DEFAULT_LIMIT);
    }

    /** {@code stop}, {@code skip-step} or {@code rollback}, with the default limit. */
    public static OnNonFinite of(String flag) {
        return switch (Action.of(flag)) {
            case STOP -> stop();
            case SKIP_STEP -> skipStep();
            case ROLLBACK -> rollback();
        };
    }
}
