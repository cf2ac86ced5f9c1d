package descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConvertHparamsCommandTest {

    @Test
    void classicMomentumBecomesTheEmaFormExactly() {
        String out = MainTest.run(0, "convert-hparams", "momentum", "--from", "pytorch", "--to", "ema", "lr=0.1",
                "momentum=0.9");
        assertEquals("lr=1 momentum=0.9\nexact\n", out);
        assertEquals("learning_rate=0.1 momentum=0.9\nexact with a constant learning rate (Keras folds it into the "
                + "velocity)\n", MainTest.run(0, "convert-hparams", "momentum", "--from", "ema", "--to", "keras",
                "lr=1", "momentum=0.9"));
        String damped = MainTest.run(0, "convert-hparams", "momentum", "--from", "pytorch", "--to", "ema", "lr=0.1",
                "momentum=0.9", "dampening=0.5");
        assertTrue(damped.startsWith("lr=0.5 momentum=0.9\napproximate: PyTorch takes the first gradient undamped"), damped);
    }

    @Test
    void eachMethodPrintsTheTargetsNamesAndWhetherItIsExact() {
        assertEquals("lr=1 momentum=0.9\nexact in shifted coordinates: PyTorch's θ is the look-ahead point φ − α·β·u "
                + "where the notes' form takes its gradient (constant learning rate)\n", MainTest.run(0, "convert-hparams",
                "nesterov", "--from", "pytorch", "--to", "lookahead-ema", "lr=0.1", "momentum=0.9"));
        String rms = MainTest.run(0, "convert-hparams", "rmsprop", "--from", "keras", "--to", "pytorch");
        assertTrue(rms.startsWith("lr=0.001 alpha=0.9 eps=0.000316227766017 momentum=0\napproximate: Keras adds epsilon "
                + "inside the square root"), rms);
        String adam = MainTest.run(0, "convert-hparams", "adam", "--from", "pytorch", "--to", "keras", "eps=0");
        assertEquals("learning_rate=0.001 beta_1=0.9 beta_2=0.999 epsilon=0\nexact\n", adam);
        assertTrue(MainTest.run(0, "convert-hparams", "adam", "--from", "keras", "--to", "pytorch")
                .contains("eps=1e-7\napproximate: Keras's epsilon is the paper's ε̂"));
        String bn = MainTest.run(0, "convert-hparams", "batchnorm", "--from", "pytorch", "--to", "keras");
        assertTrue(bn.startsWith("momentum=0.9 epsilon=0.00001\napproximate: the weights match exactly"), bn);
    }

    @Test
    void unknownMethodsConventionsAndNamesAreRefusedWithTheValidOnes() {
        assertTrue(MainTest.refusal("convert-hparams", "adagrad", "--from", "pytorch", "--to", "keras")
                .contains("unknown method adagrad: use one of momentum, nesterov, rmsprop, adam, batchnorm"));
        assertTrue(MainTest.refusal("convert-hparams", "momentum", "--from", "tensorflow", "--to", "ema", "momentum=0.9")
                .contains("--from tensorflow is not a convention of momentum: use one of pytorch, keras, ema"));
        assertTrue(MainTest.refusal("convert-hparams", "adam", "--from", "pytorch", "--to", "keras", "beta_1=0.8")
                .contains("'beta_1' is not a hyper-parameter of pytorch adam: pytorch adam takes lr, beta1, beta2, eps"));
        assertTrue(MainTest.refusal("convert-hparams", "momentum", "--from", "ema", "--to", "pytorch", "momentum=0.9")
                .contains("ema momentum needs lr (it has no default)"));
        assertTrue(MainTest.refusal("convert-hparams", "adam", "--from", "pytorch", "--to", "keras", "lr=fast")
                .contains("lr must be a number, got 'fast'"));
        assertTrue(MainTest.refusal("convert-hparams", "adam", "--from", "pytorch", "--to", "keras", "lr=1", "lr=2")
                .contains("lr is given twice"));
        assertTrue(MainTest.refusal("convert-hparams", "momentum", "--from", "pytorch", "--to", "ema", "momentum=1")
                .contains("the EMA form needs momentum < 1"));
        String help = MainTest.run(0, "convert-hparams", "--help");
        assertTrue(help.contains("  keras          learning_rate=0.001 rho=0.9 epsilon=1e-07 momentum=0") && help.contains("--from"), help);
        assertTrue(MainTest.run(0, "--help").contains("convert-hparams"));
    }
}
