package descent.train;

import descent.autograd.Tensor;
import descent.data.Batch;
import descent.data.Dataset;
import descent.nn.Mode;
import descent.nn.Module;
import descent.optim.fullbatch.Curvature;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.List;
import java.util.Map;

/**
 * The mean loss of a model over a whole data set, as a full-batch method sees it: each evaluation
 * runs the examples through the model in fixed chunks (bounding the graph's memory) and leaves the
 * mean gradient in every parameter's {@code grad()}; Hessian-vector products are summed over the
 * same chunks, for Newton-CG. The model runs in evaluation mode, so the loss is a deterministic
 * function of the parameters: a line search needs one function, not a fresh sample per call.
 */
public final class DatasetLoss implements FullBatchTraining.Loss {

    /** Examples per forward pass. */
    static final int CHUNK = 2000;

    private final Module model;
    private final Dataset data;
    private final LossFunction lossFunction;
    private final Map<String, Tensor> params;
    private final List<Tensor> list;
    private final int size;
    private long evaluations;
    private double lastLoss = Double.NaN;
    private double lastAccuracy = Double.NaN;

    public DatasetLoss(Module model, Dataset data, LossFunction lossFunction) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("a full-batch loss needs at least one example");
        }
        this.model = model;
        this.data = data;
        this.lossFunction = lossFunction;
        this.params = model.trainableParameters();
        this.list = List.copyOf(params.values());
        if (list.isEmpty()) {
            throw new IllegalArgumentException("a full-batch loss needs a model with trainable parameters");
        }
        this.size = list.stream().mapToInt(Tensor::size).sum();
    }

    @Override
    public double evaluate() {
        params.values().forEach(Tensor::zeroGrad);
        double loss = 0;
        double correct = 0;
        for (int from = 0; from < data.size(); from += CHUNK) {
            int to = Math.min(data.size(), from + CHUNK);
            Batch b = data.batch(from, to);
            Tensor outputs = model.forward(Tensor.of(inputs(b)), Mode.EVAL);
            // Each chunk's mean weighed by its share of the examples: the gradients add up to the mean gradient.
            Tensor share = lossFunction.loss(outputs, b.labels()).mul((double) (to - from) / data.size());
            share.backward();
            loss += share.item();
            correct += Evaluation.correct(outputs, b.labels());
        }
        evaluations++;
        lastLoss = loss;
        lastAccuracy = correct / data.size();
        return loss;
    }

    @Override
    public double[] hessianVector(double[] v) {
        double[] hv = new double[size];
        for (int from = 0; from < data.size(); from += CHUNK) {
            int to = Math.min(data.size(), from + CHUNK);
            Batch b = data.batch(from, to);
            NdArray x = inputs(b);
            double weight = (double) (to - from) / data.size();
            double[] part = Curvature.hessianVector(() -> lossFunction.loss(model.forward(Tensor.of(x), Mode.EVAL),
                    b.labels()).mul(weight), list, size, v);
            for (int i = 0; i < size; i++) {
                hv[i] += part[i];
            }
        }
        return hv;
    }

    private NdArray inputs(Batch b) {
        DType dtype = list.getFirst().dtype();
        return b.inputs().dtype() == dtype ? b.inputs() : b.inputs().astype(dtype);
    }

    @Override
    public double lastLoss() {
        return lastLoss;
    }

    @Override
    public double lastAccuracy() {
        return lastAccuracy;
    }

    @Override
    public long evaluations() {
        return evaluations;
    }

    @Override
    public int examples() {
        return data.size();
    }
}
