package descent.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The worker pool: every part once, failures passed on, nesting and concurrent callers. */
class ParallelTest {

    @Test
    void runsEveryPartExactlyOnce() {
        for (int parts = 1; parts <= 5; parts++) {
            for (int round = 0; round < 200; round++) {
                AtomicIntegerArray hits = new AtomicIntegerArray(parts);
                Parallel.run(parts, hits::incrementAndGet);
                int[] seen = new int[parts];
                int[] once = new int[parts];
                for (int p = 0; p < parts; p++) {
                    seen[p] = hits.get(p);
                    once[p] = 1;
                }
                assertArrayEquals(once, seen, parts + " parts, round " + round);
            }
        }
    }

    @Test
    void aFailingPartIsRethrownToTheCaller() {
        IllegalStateException boom = new IllegalStateException("boom");
        for (int failing = 0; failing < 3; failing++) {
            int f = failing;
            RuntimeException e = assertThrows(RuntimeException.class, () -> Parallel.run(3, p -> {
                if (p == f) {
                    throw boom;
                }
            }));
            assertSame(boom, e);
        }
        assertThrows(AssertionError.class, () -> Parallel.run(2, p -> {
            throw new AssertionError("error in part " + p);
        }));
        // The pool still works afterwards.
        AtomicIntegerArray hits = new AtomicIntegerArray(2);
        Parallel.run(2, hits::incrementAndGet);
        assertEquals(2, hits.get(0) + hits.get(1));
    }

    @Test
    void aCallFromInsideAPartRunsInline() {
        AtomicIntegerArray inner = new AtomicIntegerArray(4);
        Parallel.run(2, outer -> Parallel.run(2, p -> inner.incrementAndGet(outer * 2 + p)));
        for (int i = 0; i < 4; i++) {
            assertEquals(1, inner.get(i), "inner part " + i);
        }
    }

    @Test
    void callersOnSeveralThreadsAreServedInTurn() throws InterruptedException {
        int callers = 4;
        int rounds = 300;
        AtomicIntegerArray total = new AtomicIntegerArray(callers);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int caller = c;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int r = 0; r < rounds; r++) {
                    Parallel.run(3, p -> total.incrementAndGet(caller));
                }
            });
            threads.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(60_000);
        }
        for (int c = 0; c < callers; c++) {
            assertEquals(3 * rounds, total.get(c), "caller " + c);
        }
    }
}
