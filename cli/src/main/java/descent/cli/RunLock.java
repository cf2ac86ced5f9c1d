package descent.cli;

import descent.io.AtomicFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps a second run out of a run folder while one writes it: an operating-system lock
 * ({@link FileChannel#tryLock}) on the folder's {@code .lock} file, held until the run ends. The OS
 * releases it when the process dies, however it dies (a SIGKILL included), so a killed run never
 * leaves a lock that blocks its resume; a process id written in the file could not promise that (a
 * reused pid looks alive, and a pid on another host of a shared disk cannot be checked). The file
 * says who holds the lock (process id, host, start time) for the refusal; it stays in the folder,
 * emptied when the run ends, because deleting it would let two runs lock two different files.
 * Taking the lock also clears what killed writes left ({@link AtomicFiles#removeLeftovers}).
 */
public final class RunLock implements AutoCloseable {

    public static final String FILE = ".lock";

    /**
     * The folders this process holds, by their lock file: a second lock attempt here must not open
     * the file again, because closing that channel would release the process's OS lock with it.
     */
    private static final Map<Path, String> HELD = new HashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} (which must exist) for this run, or refuses, naming the run that holds it;
     * {@code use} names the option that pointed here, for the refusal.
     */
    public static RunLock acquire(Path dir, String use) throws IOException {
        Path file = dir.toRealPath().resolve(FILE);
        synchronized (HELD) {
            String holder = HELD.get(file);
            if (holder != null) {
                throw refused(dir, holder, use);
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (IOException | OverlappingFileLockException e) {
                channel.close();
                throw new IOException("could not lock " + file + ": " + e.getMessage(), e);
            }
            if (lock == null) {
                ByteBuffer b = ByteBuffer.allocate(1024);
                channel.read(b, 0);
                channel.close();
                throw refused(dir, new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip(), use);
            }
            String me = "pid " + ProcessHandle.current().pid() + " on " + host() + " since "
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            HELD.put(file, me);
            AtomicFiles.removeLeftovers(dir);
            return new RunLock(file, channel, lock);
        }
    }

    private static IOException refused(Path dir, String holder, String use) {
        return new IOException(dir + " is in use by another run (" + (holder.isEmpty() ? "one that has not yet written "
                + "who it is" : holder) + ", holding " + dir.resolve(FILE) + "): two runs writing one folder would "
                + "overwrite each other's checkpoints. Wait for it to end, or give " + use + " another folder");
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "an unnamed host";
        }
    }

    /** Empties the file and releases the lock. */
    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            try {
                channel.truncate(0);
                lock.release();
            } finally {
                channel.close();
                HELD.remove(file);
            }
        }
    }
}
