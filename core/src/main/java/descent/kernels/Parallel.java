package descent.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A small pool of persistent worker threads for kernels that split work into a few equal parts.
 *
 * <p>Kernels on training shapes last tens of microseconds, so handing work to an executor (which
 * parks and wakes threads) would cost as much as the work. Workers here spin briefly on a
 * generation counter before parking, and the caller runs part 0 itself.
 */
public final class Parallel {

    /** The system property that sets the default number of threads: {@code -Ddescent.threads=N}. */
    public static final String PROPERTY = "descent.threads";

    private static final long SPIN_NANOS = 200_000;

    private static volatile int threads = defaultThreads();
    private static Worker[] workers = new Worker[0];
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
     * Runs {@code body.accept(part)} for part = 0 .. parts-1, part 0 on the calling thread and the
     * rest on workers, and returns when all are done. Calls from several threads at once are
     * serialized; a call from inside a part runs its parts inline.
     */
    public static void run(int parts, IntConsumer body) {
        if (parts <= 1 || Thread.currentThread() instanceof Worker) {
            for (int p = 0; p < parts; p++) {
                body.accept(p);
            }
            return;
        }
        synchronized (LOCK) {
            ensureWorkers(parts - 1);
            AtomicInteger pending = new AtomicInteger(parts - 1);
            Throwable[] failure = new Throwable[1];
            for (int p = 1; p < parts; p++) {
                workers[p - 1].submit(p, body, pending, failure);
            }
            Throwable mine = null;
            try {
                body.accept(0);
            } catch (Throwable t) {
                mine = t;
            }
            while (pending.get() > 0) {
                Thread.onSpinWait();
            }
            Throwable t = mine != null ? mine : failure[0];
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

    private static final class Worker extends Thread {
        private volatile long generation;
        private long seen;
        private int part;
        private IntConsumer body;
        private AtomicInteger pending;
        private Throwable[] failure;

        Worker(int index) {
            super("descent-kernel-" + index);
            setDaemon(true);
        }

        void submit(int part, IntConsumer body, AtomicInteger pending, Throwable[] failure) {
            this.part = part;
            this.body = body;
            this.pending = pending;
            this.failure = failure;
            generation++; // volatile write publishes the fields above
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            while (true) {
                long start = System.nanoTime();
                while (generation == seen) {
                    if (System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                seen = generation;
                try {
                    body.accept(part);
                } catch (Throwable t) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = t;
                        }
                    }
                } finally {
                    body = null;
                    pending.decrementAndGet();
                }
            }
        }
    }
}
