package descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SchedulesTest {

    static void assertValues(Schedule s, long[] steps, double... expected) {
        for (int i = 0; i < steps.length; i++) {
            assertEquals(expected[i], s.at(steps[i]), 1e-12, "at step " + steps[i]);
        }
    }

    @Test
    void decays() {
        assertValues(Schedules.constant(0.1), new long[] {0, 1000}, 0.1, 0.1);
        assertValues(Schedules.step(1, 10, 0.5), new long[] {0, 9, 10, 25}, 1, 1, 0.5, 0.25);
        assertValues(Schedules.multiStep(1, new long[] {30, 10}, 0.1), new long[] {9, 10, 29, 30}, 1, 0.1, 0.1, 0.01);
        assertValues(Schedules.exponential(2, 0.5), new long[] {0, 3}, 2, 0.25);
        assertValues(Schedules.inverseTime(1, 0.5), new long[] {0, 2, 6}, 1, 0.5, 0.25);
        assertValues(Schedules.inverseSqrt(1, 1), new long[] {0, 3, 8}, 1, 0.5, 1 / 3.0);
        assertValues(Schedules.polynomial(1, 0.1, 2, 10), new long[] {0, 5, 10, 20}, 1, 0.1 + 0.9 * 0.25, 0.1, 0.1);
    }

    @Test
    void cosineAndRestarts() {
        assertValues(Schedules.cosine(1, 0, 10), new long[] {0, 5, 10, 11}, 1, 0.5, 0, 0);
        // Cycles of 4, 8, 16 steps starting at 0, 4, 12.
        assertValues(Schedules.cosineWithRestarts(1, 0, 4, 2), new long[] {0, 2, 4, 8, 12}, 1, 0.5, 1, 0.5, 1);
    }

    @Test
    void warmupAndPiecewise() {
        Schedule w = Schedules.linearWarmup(Schedules.constant(1), 4, 0);
        assertValues(w, new long[] {0, 1, 2, 4, 9}, 0, 0.25, 0.5, 1, 1);
        assertValues(Schedules.piecewise(new long[] {5, 10}, new double[] {1, 0.5, 0.1}), new long[] {0, 4, 5, 9, 10, 99},
                1, 1, 0.5, 0.5, 0.1, 0.1);
        assertThrows(IllegalArgumentException.class, () -> Schedules.piecewise(new long[] {5}, new double[] {1}));
    }
}
