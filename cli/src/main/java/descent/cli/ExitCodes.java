package descent.cli;

/** What {@code ./descent} exits with, for scripts; {@link Main}'s help lists them. */
public final class ExitCodes {

    /** The command did what it was asked. */
    public static final int DONE = 0;
    /** It failed: a training that stopped on a non-finite value, a lab verdict that differs, a bug. */
    public static final int FAILED = 1;
    /** Bad usage or input: an unknown option, a refused combination, a missing or corrupt file. */
    public static final int USAGE = 2;
    /** Training stopped before its last epoch on purpose: early stopping, or a full-batch method that stalled. */
    public static final int STOPPED_EARLY = 3;

    private ExitCodes() {}
}
