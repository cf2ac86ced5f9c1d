package descent.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST (LeCun et al.): two zero bytes, a type
 * code, the number of dimensions, each dimension as a big-endian int32, then the values in
 * row-major order. Gzip-compressed files ({@code .gz}, recognized by their magic bytes) are
 * decompressed first; offsets in errors then count bytes of the decompressed stream.
 *
 * <p>Nothing in the file is trusted: the type code must be known, every dimension positive, and the
 * data exactly as long as the dimensions say, so a truncated download or a file with trailing
 * garbage is refused rather than read as shifted images.
 */
public final class Idx {

    /**
     * Refuse anything larger: the biggest IDX data set in use (EMNIST) is about 700 MB, and a file
     * is read into one array, whose length is an int.
     */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private Idx() {}

    /** The values of an IDX file, converted to float, with its shape. */
    public record Contents(int[] shape, float[] values) {
        public int count() {
            return shape[0];
        }

        /** Values per item: the product of all dimensions but the first. */
        public int itemSize() {
            int s = 1;
            for (int i = 1; i < shape.length; i++) {
                s *= shape[i];
            }
            return s;
        }
    }

    public static Contents read(Path file) throws IOException {
        byte[] bytes = bytes(file);
        Header h = header(file, bytes);
        long expected = h.bytes();
        if (bytes.length < expected) {
            throw new IdxFormatException(file, bytes.length, "file is truncated: shape " + Arrays.toString(h.shape)
                    + " needs " + expected + " bytes, the file has " + bytes.length);
        }
        if (bytes.length > expected) {
            throw new IdxFormatException(file, expected, (bytes.length - expected)
                    + " bytes follow the data that shape " + Arrays.toString(h.shape) + " describes");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes); // big-endian, as IDX is
        int type = h.type;
        int width = h.width;
        long count = h.count;
        int[] shape = h.shape;
        float[] values = new float[(int) count];
        int at = (int) h.headerBytes;
        for (int i = 0; i < values.length; i++, at += width) {
            values[i] = switch (type) {
                case 0x08 -> bytes[at] & 0xff;
                case 0x09 -> bytes[at];
                case 0x0B -> buf.getShort(at);
                case 0x0C -> buf.getInt(at);
                case 0x0D -> buf.getFloat(at);
                default -> (float) buf.getDouble(at);
            };
        }
        return new Contents(shape, values);
    }

    /** What the header says: the type code and its width in bytes, the shape, and where the data starts. */
    private record Header(int type, int width, int[] shape, long count, long headerBytes) {
        /** The length of the whole file the header describes. */
        long bytes() {
            return headerBytes + count * width;
        }
    }

    /** Reads and checks the header at the start of {@code bytes} (which may hold only the header). */
    private static Header header(Path file, byte[] bytes) throws IdxFormatException {
        if (bytes.length < 4) {
            throw new IdxFormatException(file, bytes.length, "file is truncated: " + bytes.length
                    + " bytes, an IDX header needs at least 4");
        }
        if (bytes[0] != 0 || bytes[1] != 0) {
            throw new IdxFormatException(file, 0, String.format("not an IDX file: magic starts 0x%02x%02x, expected 0x0000",
                    bytes[0] & 0xff, bytes[1] & 0xff));
        }
        int type = bytes[2] & 0xff;
        int width = switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default -> throw new IdxFormatException(file, 2, String.format("unknown IDX type code 0x%02x "
                    + "(expected 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float or 0x0E double)", type));
        };
        int rank = bytes[3] & 0xff;
        if (rank == 0) {
            throw new IdxFormatException(file, 3, "IDX file declares 0 dimensions");
        }
        long headerBytes = 4L + 4L * rank;
        if (bytes.length < headerBytes) {
            throw new IdxFormatException(file, bytes.length, "file is truncated inside the header: " + rank
                    + " dimensions need " + headerBytes + " bytes, the file has " + bytes.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int[] shape = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = buf.getInt(4 + 4 * d);
            if (shape[d] <= 0) {
                throw new IdxFormatException(file, 4 + 4L * d, "dimension " + d + " is " + shape[d] + ", must be positive");
            }
            count *= shape[d];
            if (headerBytes + count * width > MAX_BYTES) {
                throw new IdxFormatException(file, 4 + 4L * d, "dimensions " + Arrays.toString(Arrays.copyOf(shape, d + 1))
                        + " describe more than " + MAX_BYTES + " bytes of data");
            }
        }
        return new Header(type, width, shape, count, headerBytes);
    }

    private static byte[] bytes(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            byte[] magic = raw.readNBytes(2);
            boolean gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
            if (!gzip) {
                if (Files.size(file) > MAX_BYTES) {
                    throw new IdxFormatException(file, 0, "file is larger than " + MAX_BYTES + " bytes");
                }
                return Files.readAllBytes(file);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
            // Decompress no further than the header says the file holds, and one byte more to see
            // trailing data: a small archive must not expand into memory without limit.
            out.write(in.readNBytes(4));
            if (out.size() == 4) {
                out.write(in.readNBytes(4 * (out.toByteArray()[3] & 0xff)));
            }
            Header h = header(file, out.toByteArray());
            long claimed = h.bytes();
            byte[] chunk = new byte[1 << 16];
            for (int n; out.size() <= claimed && (n = in.read(chunk, 0, (int) Math.min(chunk.length,
                    claimed + 1 - out.size()))) > 0; ) {
                out.write(chunk, 0, n);
            }
            if (out.size() > claimed) {
                throw new IdxFormatException(file, claimed, "more bytes follow the data that shape "
                        + Arrays.toString(h.shape) + " describes (offset counts decompressed bytes)");
            }
        } catch (java.io.EOFException | java.util.zip.ZipException e) {
            throw new IdxFormatException(file, out.size(), "corrupt or truncated gzip stream: " + e.getMessage()
                    + " (offset counts decompressed bytes)");
        }
        return out.toByteArray();
    }
}
