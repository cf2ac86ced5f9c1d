package descent.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Writes a file so that readers see either the old content or the complete new one: the bytes
 * go to a temporary file beside the target, are forced to disk, and the temporary file is renamed
 * over the target. A crash at any point leaves the target as it was (and at worst a temporary
 * file, {@code .NAME.DIGITS.tmp}, which {@link #removeLeftovers} clears). A write the file system
 * refuses (a full disk, a read-only folder) fails with an {@link IOException} that names the
 * target and says it was kept as it was.
 */
public final class AtomicFiles {

    /** Writes the body of a file. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** The temporary files {@link #write} makes: a dot, the target's name, a dot, digits, {@code .tmp}. */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9]+\\.tmp");

    /** The targets whose writes fail as on a full disk, for tests; null for none. */
    private static volatile Predicate<Path> simulatedFullDisk;

    private AtomicFiles() {}

    public static void write(Path target, Body body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw refused(target, e);
        }
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Predicate<Path> full = simulatedFullDisk;
                OutputStream out = new BufferedOutputStream(new Device(Channels.newOutputStream(ch),
                        full != null && full.test(target)), 1 << 16);
                body.writeTo(out);
                try {
                    out.flush();
                    ch.force(true);
                } catch (DeviceException e) {
                    throw e;
                } catch (IOException e) {
                    throw new DeviceException(e);
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (DeviceException e) {
            throw refused(target, e.getCause());
        } catch (java.nio.file.FileSystemException e) {
            throw refused(target, e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // a folder that refuses the write may refuse this too: removeLeftovers clears it later
            }
        }
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Deletes the temporary files that writes in {@code dir} left when their process was killed
     * mid-write (only files of {@link #write}'s naming, only in {@code dir} itself); returns them.
     * Call it only while no other process writes there (a run holds a lock on its folder).
     */
    public static List<Path> removeLeftovers(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir,
                p -> TEMPORARY.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p))) {
            for (Path p : files) {
                Files.deleteIfExists(p);
                removed.add(p);
            }
        }
        return removed;
    }

    /**
     * For tests: from now on, each write whose target {@code which} accepts (asked once per write)
     * fails after its first bytes as on a full disk ("No space left on device"); null ends it.
     */
    public static void simulateFullDisk(Predicate<Path> which) {
        simulatedFullDisk = which;
    }

    private static IOException refused(Path target, Throwable cause) {
        return new IOException("could not write " + target + " (" + cause.getMessage() + "; a full disk or a read-only "
                + "folder?); the file as it was before is kept", cause);
    }

    /** The file's byte stream: its failures are the file system's, told apart from the body's own. */
    private static final class Device extends FilterOutputStream {
        private final boolean full;

        Device(OutputStream out, boolean full) {
            super(out);
            this.full = full;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                if (full) {
                    out.write(b, off, Math.min(len, 16));
                    throw new IOException("No space left on device (simulated)");
                }
                out.write(b, off, len);
            } catch (IOException e) {
                throw new DeviceException(e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    private static final class DeviceException extends IOException {
        DeviceException(IOException cause) {
            super(cause);
        }
    }
}
