package descent.nn;

/** A state dict that does not fit a module: every missing, unexpected and mismatched entry. */
public final class StateDictException extends IllegalArgumentException {

    private final LoadResult result;

    StateDictException(String module, LoadResult result) {
        super("state dict does not fit " + module + ":\n" + result.describe());
        this.result = result;
    }

    public LoadResult result() {
        return result;
    }
}
