package descent.io;

import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format, in which PyTorch users share weights: an unsigned
 * 64-bit little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to its
 * dtype, shape and [begin, end) byte offsets (plus an optional string map "__metadata__"), then
 * the raw little-endian data.
 *
 * <p>The reader trusts nothing: the header length is bounded by {@link #MAX_HEADER_BYTES} and by
 * the file size before anything is allocated; every tensor's byte length must equal its element
 * count times its dtype size; and the tensors must tile the data region exactly, without
 * overlaps, gaps or trailing bytes (as the format requires). Any violation is a
 * {@link SafeTensorsException} naming the file and the problem. Descent writes F32 and F64; it
 * reads F64, F32, F16, BF16 (widened to float32, exactly) and integer and boolean tensors
 * (converted to float32 or, for 32- and 64-bit integers, float64, and rejected if a value cannot
 * be represented exactly).
 */
public final class SafeTensors {

    /** The largest header accepted: 100 MB, the reference implementation's limit. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA = "__metadata__";

    /** The tensors, in file order of their names as listed in the header, and the metadata. */
    public record Contents(Map<String, NdArray> tensors, Map<String, String> metadata) {}

    private record Entry(String name, StoredType type, int[] shape, long begin, long end) {}

    private SafeTensors() {}

    // ---------------------------------------------------------------- writing

    public static void save(Path file, Map<String, NdArray> tensors) throws IOException {
        save(file, tensors, Map.of());
    }

    /**
     * Writes the tensors (float32 as F32, float64 as F64) atomically, in the map's order, and the
     * metadata sorted by key, so the same contents always give the same bytes.
     */
    public static void save(Path file, Map<String, NdArray> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder header = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            header.append(Json.quote(METADATA)).append(":{");
            String sep = "";
            for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                header.append(sep).append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
                sep = ",";
            }
            header.append('}');
        }
        long offset = 0;
        String sep = metadata.isEmpty() ? "" : ",";
        for (Map.Entry<String, NdArray> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.equals(METADATA)) {
                throw new IllegalArgumentException("safetensors: invalid tensor name '" + name + "'");
            }
            NdArray a = e.getValue();
            long bytes = (long) a.size() * a.dtype().bytes();
            header.append(sep).append(Json.quote(name)).append(":{\"dtype\":\"")
                    .append(a.dtype() == DType.FLOAT32 ? "F32" : "F64").append("\",\"shape\":[");
            int[] shape = a.shape();
            for (int i = 0; i < shape.length; i++) {
                header.append(i == 0 ? "" : ",").append(shape[i]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
            sep = ",";
        }
        header.append('}');
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        int unpadded = header.toString().getBytes(StandardCharsets.UTF_8).length;
        header.append(" ".repeat((8 - unpadded % 8) % 8));
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
            out.write(headerBytes);
            for (NdArray a : tensors.values()) {
                ByteBuffer buf = ByteBuffer.allocate(a.size() * a.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
                if (a.dtype() == DType.FLOAT32) {
                    buf.asFloatBuffer().put(a.toFloatArray());
                } else {
                    buf.asDoubleBuffer().put(a.toDoubleArray());
                }
                out.write(buf.array());
            }
        });
    }

    // ---------------------------------------------------------------- reading

    public static Map<String, NdArray> loadTensors(Path file) throws IOException {
        return load(file).tensors();
    }

    public static Contents load(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafeTensorsException(file, "file is " + size + " bytes, shorter than the 8-byte header length");
            }
            long n = read(ch, file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n < 0 || n > MAX_HEADER_BYTES) {
                throw new SafeTensorsException(file, "header length " + Long.toUnsignedString(n) + " at offset 0 exceeds the "
                        + MAX_HEADER_BYTES + "-byte limit");
            }
            if (n > size - 8) {
                throw new SafeTensorsException(file, "header length " + n + " at offset 0 runs past the end of the "
                        + size + "-byte file");
            }
            String header = decode(file, read(ch, file, 8, (int) n));
            List<Entry> entries = new ArrayList<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            parseHeader(file, header, entries, metadata);
            long dataStart = 8 + n;
            checkTiling(file, entries, size - dataStart, dataStart);
            Map<String, NdArray> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                ByteBuffer bytes = read(ch, file, dataStart + e.begin(), (int) (e.end() - e.begin()));
                tensors.put(e.name(), e.type().decode(file, e.name(), dataStart + e.begin(),
                        bytes.order(ByteOrder.LITTLE_ENDIAN), e.shape()));
            }
            return new Contents(tensors, metadata);
        }
    }

    private static String decode(Path file, ByteBuffer bytes) throws SafeTensorsException {
        try {
            String header = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
            if (!header.startsWith("{")) {
                throw new SafeTensorsException(file, "header at offset 8 does not start with '{'");
            }
            return header;
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file, "header at offset 8 is not valid UTF-8");
        }
    }

    private static void parseHeader(Path file, String header, List<Entry> entries, Map<String, String> metadata)
            throws SafeTensorsException {
        Object root;
        try {
            root = Json.parse(header);
        } catch (Json.ParseException e) {
            int at = Math.min(e.offset, header.length());
            long fileOffset = 8 + header.substring(0, at).getBytes(StandardCharsets.UTF_8).length;
            throw new SafeTensorsException(file, "header is not valid JSON at file offset " + fileOffset + ": " + e.reason);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new SafeTensorsException(file, "header is not a JSON object");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA)) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw new SafeTensorsException(file, "__metadata__ is not an object");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String v)) {
                        throw new SafeTensorsException(file, "__metadata__ value of '" + m.getKey() + "' is not a string");
                    }
                    metadata.put((String) m.getKey(), v);
                }
                continue;
            }
            entries.add(entry(file, name, e.getValue()));
        }
    }

    private static Entry entry(Path file, String name, Object value) throws SafeTensorsException {
        String where = "tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> info)) {
            throw new SafeTensorsException(file, where + " is not described by an object");
        }
        for (Object key : info.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new SafeTensorsException(file, where + " has unknown field '" + key + "'");
            }
        }
        if (!(info.get("dtype") instanceof String dtypeName)) {
            throw new SafeTensorsException(file, where + " has no dtype string");
        }
        StoredType type = StoredType.of(dtypeName);
        if (type == null) {
            throw new SafeTensorsException(file, where + " has unsupported dtype '" + dtypeName + "' (supported: "
                    + StoredType.names() + ")");
        }
        List<Long> shapeList = longs(file, where, "shape", info.get("shape"));
        int[] shape = new int[shapeList.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = shapeList.get(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new SafeTensorsException(file, where + " has invalid dimension " + d);
            }
            shape[i] = (int) d;
            count *= d;
            if (count > Integer.MAX_VALUE - 8) {
                throw new SafeTensorsException(file, where + " has more elements than an array can hold");
            }
        }
        List<Long> offsets = longs(file, where, "data_offsets", info.get("data_offsets"));
        if (offsets.size() != 2) {
            throw new SafeTensorsException(file, where + " data_offsets must be [begin, end]");
        }
        long begin = offsets.get(0);
        long end = offsets.get(1);
        if (begin < 0 || end < begin) {
            throw new SafeTensorsException(file, where + " has invalid data_offsets [" + begin + ", " + end + "]");
        }
        long expected = count * type.bytes;
        if (end - begin != expected) {
            throw new SafeTensorsException(file, where + " holds " + (end - begin) + " bytes at data_offsets [" + begin + ", "
                    + end + "], but " + dtypeName + java.util.Arrays.toString(shape) + " needs " + expected);
        }
        return new Entry(name, type, shape, begin, end);
    }

    private static List<Long> longs(Path file, String where, String field, Object v) throws SafeTensorsException {
        if (!(v instanceof List<?> list)) {
            throw new SafeTensorsException(file, where + " has no " + field + " array");
        }
        List<Long> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Long l)) {
                throw new SafeTensorsException(file, where + " " + field + " holds a non-integer: " + o);
            }
            out.add(l);
        }
        return out;
    }

    /** The tensors must cover [0, dataSize) exactly, in some order, without overlap or gap. */
    private static void checkTiling(Path file, List<Entry> entries, long dataSize, long dataStart)
            throws SafeTensorsException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        String previous = "the header";
        for (Entry e : sorted) {
            if (e.end() > dataSize) {
                throw new SafeTensorsException(file, "tensor '" + e.name() + "' ends at file offset " + (dataStart + e.end())
                        + ", past the end of the " + (dataStart + dataSize) + "-byte file (truncated?)");
            }
            if (e.begin() < at) {
                throw new SafeTensorsException(file, "tensor '" + e.name() + "' at file offset " + (dataStart + e.begin())
                        + " overlaps " + previous);
            }
            if (e.begin() > at) {
                throw new SafeTensorsException(file, "bytes at file offsets [" + (dataStart + at) + ", "
                        + (dataStart + e.begin()) + ") after " + previous + " belong to no tensor");
            }
            at = e.end();
            previous = "tensor '" + e.name() + "'";
        }
        if (at != dataSize) {
            throw new SafeTensorsException(file, (dataSize - at) + " trailing bytes at file offset " + (dataStart + at)
                    + " belong to no tensor");
        }
    }

    private static ByteBuffer read(FileChannel ch, Path file, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            int r = ch.read(buf, position + buf.position());
            if (r < 0) {
                throw new SafeTensorsException(file, "unexpected end of file at offset " + (position + buf.position()));
            }
        }
        return buf.flip();
    }
}
