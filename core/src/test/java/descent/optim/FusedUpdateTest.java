package descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The fused SGD and Adam steps against the chains they replace: the same bits, the same state. */
class FusedUpdateTest {

    static List<Object[]> configurations() {
        List<Object[]> out = new ArrayList<>();
        String[][] configs = {
            {"sgd", "lr", "0.1"},
            {"sgd", "lr", "0.05", "weight_decay", "0.01"},
            {"momentum", "lr", "0.03"},
            {"sgd", "lr", "0.03", "momentum", "0.8", "dampening", "0.3", "weight_decay", "0.002"},
            {"nesterov", "lr", "0.02", "weight_decay", "0.001"},
            {"sgd", "lr", "0.1", "momentum", "0.9", "schedule", "cosine:7"},
            {"adam", "lr", "0.01"},
            {"adam", "lr", "0.003", "weight_decay", "0.01"},
            {"adamw", "lr", "0.002", "weight_decay", "0.1"},
            {"adam", "lr", "0.01", "bias_correction", "false", "beta1", "0.5", "eps", "1e-3"},
            {"adam", "lr", "0.01", "schedule", "step:2:0.5"},
        };
        for (String[] c : configs) {
            for (DType dtype : DType.values()) {
                out.add(new Object[] {c[0], dtype, List.of(c).subList(1, c.length).toArray(String[]::new)});
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("configurations")
    void fusedStepsEqualTheChainBitForBit(String name, DType dtype, String[] hyper) {
        Rule<Rule.ChainState> rule = Optimizers.rule(name, Hyperparameters.of(hyper));
        assertNotNull(FusedUpdate.of(rule), "the chain of " + name + " has a fused form");
        SplittableRandom rng = new SplittableRandom(5);
        NdArray start = random(rng, dtype, 7, 33);
        Tensor p = Tensor.param(start);
        Optimizer optimizer = new Optimizer(Map.of("w", p), rule);
        NdArray reference = start;
        Rule.ChainState state = rule.init(start);
        for (int step = 0; step < 6; step++) {
            NdArray g = random(rng, dtype, 7, 33);
            setGrad(p, g);
            optimizer.step();
            Rule.Step<Rule.ChainState> s = rule.apply(g, reference, state);
            reference = reference.add(s.update());
            state = s.state();
            assertArrayEquals(reference.toDoubleArray(), p.value().toDoubleArray(), 0, "parameter after step " + step);
        }
        // Read only at the end: reading the state hands it out, and later steps would then copy it.
        assertSameState(state, optimizer.state("w"));
    }

    @Test
    void otherChainsTakeTheGeneralPath() {
        assertNull(FusedUpdate.of(Optimizers.rule("amsgrad", Hyperparameters.of())));
        assertNull(FusedUpdate.of(Optimizers.rule("rmsprop", Hyperparameters.of())));
        assertNull(FusedUpdate.of(Optimizers.rule("sgd", Hyperparameters.of("momentum", "0.9", "momentum_form", "ema"))));
        assertNull(FusedUpdate.of(Optimizers.rule("sgd", Hyperparameters.of("clip_value", "1"))));
    }

    @Test
    void snapshotsOfTheStateAreNotWrittenByLaterSteps() {
        Rule<Rule.ChainState> rule = Optimizers.rule("adam", Hyperparameters.of("lr", "0.1"));
        Tensor p = Tensor.param(NdArray.of(new double[] {1, 2, 3}, 3));
        Optimizer optimizer = new Optimizer(Map.of("w", p), rule);
        for (int i = 0; i < 3; i++) {
            setGrad(p, NdArray.of(new double[] {0.5, -1, 2}, 3));
            optimizer.step();
        }
        Transforms.AdamMoments held = (Transforms.AdamMoments) ((Rule.ChainState) optimizer.state("w")).states().get(1);
        double[] m = held.m().toDoubleArray();
        NdArray saved = optimizer.stateDict().get("w/1.v");
        double[] v = saved.toDoubleArray();
        setGrad(p, NdArray.of(new double[] {3, 3, 3}, 3));
        optimizer.step();
        assertArrayEquals(m, held.m().toDoubleArray(), 0);
        assertArrayEquals(v, saved.toDoubleArray(), 0);
        assertEquals(4, ((Transforms.AdamMoments) ((Rule.ChainState) optimizer.state("w")).states().get(1)).count());
    }

    /** Sets p's gradient to g, via the loss Σ g·p. */
    private static void setGrad(Tensor p, NdArray g) {
        p.zeroGrad();
        Tensor.of(g).mul(p).sum().backward();
    }

    private static void assertSameState(Record expected, Record actual) {
        assertEquals(expected.getClass(), actual.getClass());
        for (RecordComponent c : expected.getClass().getRecordComponents()) {
            Object e = get(c, expected);
            Object a = get(c, actual);
            switch (e) {
                case NdArray x -> assertArrayEquals(x.toDoubleArray(), ((NdArray) a).toDoubleArray(), 0, c.getName());
                case Record r -> assertSameState(r, (Record) a);
                case List<?> list -> {
                    for (int i = 0; i < list.size(); i++) {
                        assertSameState((Record) list.get(i), (Record) ((List<?>) a).get(i));
                    }
                }
                case null -> assertNull(a, c.getName());
                default -> assertEquals(e, a, c.getName());
            }
        }
    }

    private static Object get(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException ex) {
            throw new AssertionError(ex);
        }
    }

    private static NdArray random(SplittableRandom rng, DType dtype, int... shape) {
        double[] v = new double[shape[0] * shape[1]];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextDouble(-2, 2);
        }
        return NdArray.of(v, shape).astype(dtype);
    }
}
