package descent.autograd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GradientCheckTest {

    static List<OpRegistry.Entry> ops() {
        return OpRegistry.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void firstOrderMatchesFiniteDifferences(OpRegistry.Entry op) {
        GradCheck.Result r = GradCheck.check(op.f(), op.inputs(1), 1e-6, 1e-7, 1e-5);
        assertTrue(r.passed(), op.name() + ": " + r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void secondOrderMatchesFiniteDifferences(OpRegistry.Entry op) {
        GradCheck.Result r = GradCheck.secondOrder(op.f(), op.inputs(2), 1e-5, 1e-6, 1e-4);
        assertTrue(r.passed(), op.name() + ": " + r);
    }

    @Test
    void detectsAWrongGradient() {
        // sqrt(x²) = |x|, but detaching the inner x² severs the gradient: the check must notice.
        GradCheck.Result r = GradCheck.check(x -> x.get(0).mul(x.get(0).detach()),
                List.of(NdArray.of(new double[] {0.5, -1.5, 2}, 3)), 1e-6, 1e-7, 1e-5);
        assertFalse(r.passed(), r.toString());
    }

    @Test
    void refusesFloat32() {
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(x -> x.get(0).exp(),
                List.of(NdArray.ones(DType.FLOAT32, 3)), 1e-3, 1e-3, 1e-3));
    }
}
