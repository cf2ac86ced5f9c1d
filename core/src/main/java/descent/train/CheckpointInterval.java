package descent.train;

/**
 * How often a {@link Trainer} writes its checkpoint inside an epoch, besides at the end of each
 * epoch: every {@code steps} training steps (minibatches), and every {@code minutes} of wall-clock
 * time since the last checkpoint; 0 turns a measure off. A checkpoint inside an epoch records the
 * position in it, so a resumed run continues bit for bit from that step, not from the epoch's start.
 * Counting steps is the deterministic choice (the same steps are saved whenever the run is
 * resumed); minutes bound the work a crash can lose when steps vary in length.
 */
public record CheckpointInterval(long steps, double minutes) {

    /** At the end of each epoch only. */
    public static final CheckpointInterval EPOCHS = new CheckpointInterval(0, 0);

    public CheckpointInterval {
        if (steps < 0) {
            throw new IllegalArgumentException("checkpoint interval: steps must be at least 1 (0: off), got " + steps);
        }
        if (!(minutes >= 0) || Double.isInfinite(minutes)) {
            throw new IllegalArgumentException("checkpoint interval: minutes must be a positive number (0: off), got "
                    + minutes);
        }
    }

    /** Whether a checkpoint is due after 1-based {@code step}, {@code nanos} after the last one was written. */
    boolean due(long step, long nanos) {
        return steps > 0 && step % steps == 0 || minutes > 0 && nanos >= minutes * 60e9;
    }
}
