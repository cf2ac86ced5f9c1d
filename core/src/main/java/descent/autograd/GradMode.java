package descent.autograd;

/**
 * Whether operations on this thread record a graph. Scoped, never left switched: open a
 * {@link #noGrad()} scope with try-with-resources and the previous mode is restored on close.
 */
public final class GradMode {

    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** A scope in which nothing is recorded: {@code try (var _ = GradMode.noGrad()) { ... }}. */
    public static Scope noGrad() {
        return set(false);
    }

    /** A scope in which recording is on again, e.g. inside a no-grad scope. */
    public static Scope enableGrad() {
        return set(true);
    }

    private static Scope set(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return new Scope(previous);
    }

    /** Restores the mode that was in force when the scope was opened. */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;

        private Scope(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            ENABLED.set(previous);
        }
    }
}
