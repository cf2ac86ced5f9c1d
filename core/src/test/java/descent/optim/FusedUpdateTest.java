package descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused SGD and Adam steps against the general path through the same chains: the same bits,
 * the same state.
 */
class FusedUpdateTest {

    static List<Arguments> configurations() {
        Map<String, FirstOrder> recipes = new LinkedHashMap<>();
        recipes.put("sgd lr=0.1", Optimizers.sgd(0.1));
        recipes.put("sgd lr=0.05 weight_decay=0.01", Optimizers.sgd(0.05).withWeightDecay(0.01));
        recipes.put("momentum lr=0.03", Optimizers.momentum(0.03, 0.9));
        recipes.put("sgd lr=0.03 momentum=0.8 dampening=0.3 weight_decay=0.002",
                Optimizers.momentum(0.03, 0.8).withDampening(0.3).withWeightDecay(0.002));
        recipes.put("nesterov lr=0.02 weight_decay=0.001", Optimizers.nesterov(0.02, 0.9).withWeightDecay(0.001));
        recipes.put("momentum lr=0.1 cosine:7",
                Optimizers.momentum(0.1, 0.9).withSchedule(Schedules.cosine(0.1, 0, 7)));
        recipes.put("adam lr=0.01", Optimizers.adam(0.01));
        recipes.put("adam lr=0.003 weight_decay=0.01", Optimizers.adam(0.003).withWeightDecay(0.01));
        recipes.put("adamw lr=0.002 weight_decay=0.1", Optimizers.adamw(0.002, 0.1));
        recipes.put("adam lr=0.01 without bias correction beta1=0.5 eps=1e-3",
                Optimizers.adam(0.01).withBiasCorrection(false).withBetas(0.5, 0.999).withEps(1e-3));
        recipes.put("adam lr=0.01 step:2:0.5", Optimizers.adam(0.01).withSchedule(Schedules.step(0.01, 2, 0.5)));
        List<Arguments> out = new ArrayList<>();
        recipes.forEach((label, recipe) -> {
            for (DType dtype : DType.values()) {
                out.add(Arguments.of(label, dtype, recipe));
            }
        });
        return out;
    }

    /** The same rule hidden from the optimizer's fused path: it only delegates init and apply. */
    record Unfused<S extends Record>(Rule<S> rule) implements Rule<S> {
        @Override
        public S init(NdArray param) {
            return rule.init(param);
        }

        @Override
        public Step<S> apply(NdArray update, NdArray param, S state) {
            return rule.apply(update, param, state);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void fusedStepsEqualTheChainBitForBit(String label, DType dtype, FirstOrder recipe) {
        Rule<Rule.ChainState> rule = recipe.rule();
        assertInstanceOf(FusedRule.class, rule, label + " has a fused form");
        SplittableRandom rng = new SplittableRandom(5);
        NdArray start = random(rng, dtype, 7, 33);
        Tensor p = Tensor.param(start);
        Tensor q = Tensor.param(start.copy());
        Optimizer fused = new Optimizer(Map.of("w", p), rule);
        Optimizer general = new Optimizer(Map.of("w", q), new Unfused<>(rule));
        for (int step = 0; step < 6; step++) {
            NdArray g = random(rng, dtype, 7, 33);
            setGrad(p, g);
            setGrad(q, g);
            fused.step();
            general.step();
            assertArrayEquals(q.value().toDoubleArray(), p.value().toDoubleArray(), 0, "parameter after step " + step);
        }
        assertSameState(general.state("w"), fused.state("w"));
    }

    @Test
    void otherChainsTakeTheGeneralPath() {
        assertFalse(Optimizers.amsgrad(1e-3).rule() instanceof FusedRule, "amsgrad");
        assertFalse(Optimizers.rmsprop(0.01).rule() instanceof FusedRule, "rmsprop");
        assertFalse(Optimizers.sgd(0.01).withMomentum(0.9).withEmaForm(false).rule() instanceof FusedRule,
                "sgd with EMA momentum");
        assertFalse(Optimizers.sgd(0.01).withClipValue(1).rule() instanceof FusedRule, "sgd with clip_value");
        assertFalse(Optimizers.adam(1e-3).withClipValue(1).rule() instanceof FusedRule, "adam with clip_value");
    }

    @Test
    void snapshotsOfTheStateAreNotWrittenByLaterSteps() {
        Rule<Rule.ChainState> rule = Optimizers.adam(0.1).rule();
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
