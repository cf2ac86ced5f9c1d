package descent.tensor;

/** Thrown when shapes do not fit an operation; the message names the operation and the shapes. */
public class ShapeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ShapeException(String message) {
        super(message);
    }
}
