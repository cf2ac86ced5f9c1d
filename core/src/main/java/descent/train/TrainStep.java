package descent.train;

import descent.autograd.Tensor;
import descent.data.Batch;
import descent.nn.ForwardObserver;
import descent.nn.Mode;
import descent.nn.Module;
import descent.optim.Optimizer;
import java.util.Map;

/**
 * One minibatch step, the same wherever a model trains (the {@link Trainer}, the benchmarks, the
 * lab): zero the gradients, forward in train mode, loss, backward, check that the loss and every
 * gradient are finite, optimizer step. A non-finite value stops the step before the optimizer
 * moves anything, with a {@link NonFiniteException} that names the layer where it first appeared.
 */
public final class TrainStep {

    /**
     * What a step measured: the batch's loss before the step, how many examples the outputs got
     * right, and the time of each phase in nanoseconds (forward with the loss, backward, the
     * finiteness check, the optimizer step).
     */
    public record Result(double loss, int correct, long forwardNanos, long backwardNanos, long checkNanos,
                         long updateNanos) {}

    private final Module model;
    private final Optimizer optimizer;
    private final LossFunction loss;
    /** The model's parameters, walked out of the module tree once rather than every step. */
    private final Map<String, Tensor> parameters;

    public TrainStep(Module model, Optimizer optimizer, LossFunction loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
        this.parameters = model.namedParameters();
    }

    /**
     * Takes the step on {@code batch}, stochastic layers drawing from {@code dropout}; {@code observer}
     * (null for none) sees every layer's output. {@code step} and {@code epoch} (1-based) only name
     * the place in a {@link NonFiniteException}.
     */
    public Result run(Batch batch, SplitMix64 dropout, ForwardObserver observer, long step, int epoch) {
        long dropoutState = dropout.state();
        long t0 = System.nanoTime();
        Tensor input = Tensor.of(batch.inputs());
        optimizer.zeroGrad();
        Mode mode = Mode.train(dropout);
        Tensor outputs = observer == null ? model.forward(input, mode) : model.forward(input, mode, observer);
        Tensor lossTensor = loss.loss(outputs, batch.labels());
        long t1 = System.nanoTime();
        lossTensor.backward();
        double lossValue = lossTensor.item();
        long t2 = System.nanoTime();
        if (!NonFiniteGuard.finite(lossValue, parameters)) {
            throw new NonFiniteException(step, epoch, NonFiniteGuard.locate(model, input, batch.labels(), loss,
                    Mode.train(new SplitMix64(dropoutState))));
        }
        long t3 = System.nanoTime();
        optimizer.step();
        long t4 = System.nanoTime();
        return new Result(lossValue, Evaluation.correct(outputs, batch.labels()), t1 - t0, t2 - t1, t3 - t2, t4 - t3);
    }
}
