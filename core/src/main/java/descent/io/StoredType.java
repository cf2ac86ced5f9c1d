package descent.io;

import descent.tensor.NdArray;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The safetensors dtypes Descent reads, and how each becomes a float32 or float64 array exactly. */
enum StoredType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), U64(8), I32(4), U32(4), I16(2), U16(2), I8(1), U8(1), BOOL(1);

    private static final long EXACT_LIMIT = 1L << 53; // integers above this are not all doubles

    final int bytes;

    StoredType(int bytes) {
        this.bytes = bytes;
    }

    static StoredType of(String name) {
        for (StoredType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    static String names() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }

    /** The array for little-endian bytes; offset is the data's file offset, for messages. */
    NdArray decode(Path file, String name, long offset, ByteBuffer b, int[] shape) throws SafeTensorsException {
        int n = b.remaining() / bytes;
        switch (this) {
            case F64 -> {
                double[] d = new double[n];
                b.asDoubleBuffer().get(d);
                return NdArray.of(d, shape);
            }
            case F32 -> {
                float[] f = new float[n];
                b.asFloatBuffer().get(f);
                return NdArray.of(f, shape);
            }
            case I64, U64, I32, U32 -> {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    long v = switch (this) {
                        case I64, U64 -> b.getLong();
                        case I32 -> b.getInt();
                        default -> Integer.toUnsignedLong(b.getInt());
                    };
                    // U64 values above 2^63 read as negative longs: beyond the limit either way.
                    boolean exact = this == U64 ? v >= 0 && v <= EXACT_LIMIT : Math.abs(v) <= EXACT_LIMIT;
                    if (!exact) {
                        throw new SafeTensorsException(file, "tensor '" + name + "' element " + i + " at file offset "
                                + (offset + (long) i * bytes) + " is " + name() + " value "
                                + (this == U64 ? Long.toUnsignedString(v) : Long.toString(v))
                                + ", beyond the integers float64 holds exactly");
                    }
                    d[i] = v;
                }
                return NdArray.of(d, shape);
            }
            default -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = switch (this) {
                        case F16 -> Float.float16ToFloat(b.getShort());
                        case BF16 -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                        case I16 -> b.getShort();
                        case U16 -> b.getShort() & 0xffff;
                        case I8 -> b.get();
                        case U8 -> b.get() & 0xff;
                        default -> bool(file, name, offset + i, b.get());
                    };
                }
                return NdArray.of(f, shape);
            }
        }
    }

    private static float bool(Path file, String name, long offset, byte v) throws SafeTensorsException {
        if (v != 0 && v != 1) {
            throw new SafeTensorsException(file, "tensor '" + name + "' holds byte " + v + " at file offset " + offset
                    + ", not a boolean 0 or 1");
        }
        return v;
    }
}
