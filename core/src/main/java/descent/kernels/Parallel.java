package descent.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A small pool of persistent worker threads for kernels that split work into a few equal parts.
 *
 * <p>Kernels on training shapes last tens of microseconds, so handing work to an executor (which
 * parks and wakes threads) would cost as much as the work. Workers here spin briefly on the next
 * job before parking. Parts are claimed, not assigned: the caller runs every part that no worker
 * has claimed by the time it is free, so a worker that is slow to wake (a parked thread, a core
 * the hypervisor took away) delays nothing; the caller waits only for parts already running.
 * Which thread runs a part must not matter to the part, which is true of every kernel here.
 */
public final class Parallel {

    /** The system property that sets the default number of threads: {@code -Ddescent.threads=N}. */
    public static final String PROPERTY = "descent.threads";

    /**
     * How long an idle worker spins before it parks. A training step leaves gaps of a few hundred
     * microseconds between kernels (the loss, the optimizer step); a worker parked after 200 µs took
     * 7 µs on average to join the next job and missed one job in seven entirely, against under 1 µs
     * and one in fifty with 1 ms.
     */
    private static final long SPIN_NANOS = 1_000_000;

    private static volatile int threads = defaultThreads();
    private static Worker[] workers = new Worker[0];
    /** The job being run, published to the workers by this volatile write. */
    private static volatile Job current;
    private static final Object LOCK = new Object();

    private Parallel() {}

    /** The number of threads kernels use (the caller included). */
    public static int threads() {
        return threads;
    }

    /** Sets the number of threads kernels use; at least 1. */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + n);
        }
        threads = n;
    }

    private static int defaultThreads() {
        String p = System.getProperty(PROPERTY);
        return p != null ? Math.max(1, Integer.parseInt(p.trim())) : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Runs {@code body.accept(part)} for part = 0 .. parts-1 on the calling thread and up to
     * parts-1 workers, and returns when all are done. Calls from several threads at once are
     * serialized; a call from inside a part runs its parts inline.
     */
    public static void run(int parts, IntConsumer body) {
        if (parts <= 1 || Thread.currentThread() instanceof Worker || Thread.holdsLock(LOCK)) {
            for (int p = 0; p < parts; p++) {
                body.accept(p);
            }
            return;
        }
        synchronized (LOCK) {
            ensureWorkers(parts - 1);
            Job job = new Job(parts, body);
            current = job;
            for (int w = 0; w < parts - 1; w++) {
                LockSupport.unpark(workers[w]);
            }
            job.work();
            while (job.done.get() < parts) {
                Thread.onSpinWait();
            }
            current = null;
            Throwable t = job.failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
        }
    }

    private static void ensureWorkers(int n) {
        if (workers.length >= n) {
            return;
        }
        Worker[] grown = java.util.Arrays.copyOf(workers, n);
        for (int i = workers.length; i < n; i++) {
            grown[i] = new Worker(i + 1);
            grown[i].start();
        }
        workers = grown;
    }

    /** One call's parts: whoever is free claims the next one. */
    private static final class Job {
        private static long count;
        final long id = ++count;
        final int parts;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(int parts, IntConsumer body) {
            this.parts = parts;
            this.body = body;
        }

        /** Runs parts until none is left unclaimed. */
        void work() {
            for (int p = next.getAndIncrement(); p < parts; p = next.getAndIncrement()) {
                try {
                    body.accept(p);
                } catch (Throwable t) {
                    synchronized (this) {
                        if (failure == null) {
                            failure = t;
                        }
                    }
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private static final class Worker extends Thread {
        private long seen;

        Worker(int index) {
            super("descent-kernel-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                long start = System.nanoTime();
                Job job;
                while ((job = current) == null || job.id == seen) {
                    if (System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                seen = job.id;
                job.work();
            }
        }
    }
}
