package descent.tensor;

/** Element types. Storage is a {@code float[]} for FLOAT32 and a {@code double[]} for FLOAT64. */
public enum DType {
    FLOAT32(4), FLOAT64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }
}
