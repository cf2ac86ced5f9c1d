package descent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.diagnostics.ArchitectureLint.Context;
import descent.diagnostics.ArchitectureLint.Rule;
import descent.init.FanMode;
import descent.init.Init;
import descent.nn.Activation;
import descent.nn.BatchNorm1d;
import descent.nn.Linear;
import descent.nn.Mlp;
import descent.nn.Mode;
import descent.nn.Module;
import descent.nn.Sequential;
import descent.tensor.DType;
import descent.train.SplitMix64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArchitectureLintTest {

    private static final SplitMix64 RNG = new SplitMix64(3);

    private static List<Rule> rules(Module model, Context context) {
        return ArchitectureLint.check(model, context).stream().map(ArchitectureLint.Warning::rule).toList();
    }

    private static Tensor sample() {
        return Tensor.randn(new SplitMix64(5), DType.FLOAT32, 8, 20);
    }

    @Test
    void aSensibleMlpIsClean() {
        Mlp mlp = new Mlp(Mlp.Spec.of(20, 32, 32, 10).withBatchNorm(true).withDropout(0.2), RNG);
        Set<String> weights = Set.of("layers.0.weight", "layers.4.weight", "layers.8.weight");
        assertEquals(List.of(), ArchitectureLint.check(mlp, new Context(weights, sample(), true, Mode.EVAL)));
    }

    @Test
    void biasBeforeBatchNorm() {
        Mlp mlp = new Mlp(Mlp.Spec.of(20, 32, 10).withBatchNorm(true).withBiasBeforeBatchNorm(true), RNG);
        List<ArchitectureLint.Warning> w = ArchitectureLint.check(mlp, Context.structural());
        assertEquals(List.of(Rule.BIAS_BEFORE_BATCH_NORM), w.stream().map(ArchitectureLint.Warning::rule).toList());
        assertEquals("layers.0", w.getFirst().where());
    }

    @Test
    void initializerThatDoesNotSuitTheActivation() {
        assertEquals(List.of(Rule.INIT_MISMATCH), rules(new Mlp(Mlp.Spec.of(20, 32, 10).withInit(Init.xavierNormal()), RNG),
                Context.structural()));
        Mlp heSigmoid = new Mlp(Mlp.Spec.of(20, 32, 10).withActivation(Activation.sigmoid()).withInit(Init.kaimingNormal()), RNG);
        assertEquals(List.of(Rule.INIT_MISMATCH), rules(heSigmoid, Context.structural()));
        // Kaiming with the sigmoid's own gain (variance 1/fan_in) is fine.
        Mlp gained = new Mlp(Mlp.Spec.of(20, 32, 10).withActivation(Activation.sigmoid())
                .withInit(Init.kaimingNormal(FanMode.FAN_IN, 1)), RNG);
        assertEquals(List.of(), rules(gained, Context.structural()));
    }

    @Test
    void weightDecayOnNormalizationParametersAndBiases() {
        Mlp mlp = new Mlp(Mlp.Spec.of(20, 32, 10).withBatchNorm(true), RNG);
        Set<String> all = mlp.trainableParameters().keySet();
        List<ArchitectureLint.Warning> w = ArchitectureLint.check(mlp, new Context(all, null, true, Mode.EVAL));
        assertEquals(List.of("layers.1.weight", "layers.1.bias", "layers.3.bias"),
                w.stream().map(ArchitectureLint.Warning::where).toList());
        assertTrue(w.getFirst().message().contains("γ"), w.getFirst().message());
    }

    /** Softmax as a layer, which a cross-entropy on logits would apply a second time. */
    private static final class Softmax extends Module {
        @Override
        public Tensor forward(Tensor x, Mode mode) {
            return x.softmax(1);
        }
    }

    @Test
    void softmaxBeforeALossThatTakesLogits() {
        Sequential model = new Sequential(new Linear(20, 10, RNG), new Softmax());
        assertEquals(List.of(Rule.SOFTMAX_BEFORE_LOGITS_LOSS), rules(model, new Context(Set.of(), sample(), true, Mode.EVAL)));
        assertEquals(List.of(), rules(model, new Context(Set.of(), sample(), false, Mode.EVAL)));
    }

    @Test
    void deepSigmoidStackWithoutNormalization() {
        Mlp deep = new Mlp(Mlp.Spec.of(20, 16, 16, 16, 16, 10).withActivation(Activation.sigmoid())
                .withInit(Init.xavierNormal()), RNG);
        assertEquals(List.of(Rule.DEEP_SIGMOID), rules(deep, Context.structural()));
        Mlp normalized = new Mlp(Mlp.Spec.of(20, 16, 16, 16, 16, 10).withActivation(Activation.sigmoid())
                .withInit(Init.xavierNormal()).withBatchNorm(true), RNG);
        assertEquals(List.of(), rules(normalized, Context.structural()));
        Mlp shallow = new Mlp(Mlp.Spec.of(20, 16, 16, 16, 10).withActivation(Activation.sigmoid())
                .withInit(Init.xavierNormal()), RNG);
        assertEquals(List.of(), rules(shallow, Context.structural()));
    }

    @Test
    void dropoutActiveAtEvaluation() {
        Mlp mlp = new Mlp(Mlp.Spec.of(20, 32, 10).withDropout(0.5), RNG);
        assertEquals(List.of(Rule.DROPOUT_AT_EVALUATION),
                rules(mlp, new Context(Set.of(), sample(), true, Mode.train(new SplitMix64(1)))));
        assertEquals(List.of(), rules(mlp, new Context(Set.of(), sample(), true, Mode.EVAL)));
    }
}
