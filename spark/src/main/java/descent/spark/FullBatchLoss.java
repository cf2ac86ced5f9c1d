package descent.spark;

import descent.autograd.Tensor;
import descent.data.Dataset;
import descent.nn.Module;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.DatasetLoss;
import descent.train.FullBatchTraining;
import descent.train.LossFunction;
import java.io.Serializable;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The mean cross-entropy of a model over a whole training set spread over a cluster, with its
 * gradient and Hessian-vector products, for the full-batch methods ({@code descent.optim.fullbatch}):
 * each evaluation is one {@code treeAggregate} of the partitions' sums at the driver's current
 * parameters, as Spark MLlib's L-BFGS evaluates its cost; the method and its line search run on the
 * driver. The loss is evaluated in evaluation mode (no dropout, batch norm on running statistics),
 * so it is a deterministic function of the parameters.
 */
public final class FullBatchLoss {

    private final JavaSparkContext sc;
    private final JavaRDD<Shard> shards;
    private final ModelFactory factory;
    private final int partitions;
    private final int examples;
    private long evaluations;
    /** The mean loss and the accuracy at the last point the cluster evaluated. */
    private double lastLoss = Double.NaN;
    private double lastAccuracy = Double.NaN;

    public FullBatchLoss(JavaSparkContext sc, ModelFactory model, Dataset train, int partitions) {
        this.sc = sc;
        this.factory = model;
        this.partitions = partitions;
        this.examples = train.size();
        this.shards = Shard.distribute(sc, Shard.split(train, partitions));
    }

    /**
     * The mean loss and training accuracy at the last point evaluated: after a full-batch step, the
     * point it accepted (its line search ends there), so no second pass over the data is needed.
     */
    public double lastLoss() {
        return lastLoss;
    }

    public double lastAccuracy() {
        return lastAccuracy;
    }

    /** How many times the loss has been evaluated on the cluster. */
    public long evaluations() {
        return evaluations;
    }

    /**
     * A closure over {@code driverModel}'s parameters: it evaluates the loss on the cluster at their
     * current values and leaves the gradient in each parameter's {@code grad()}.
     */
    public FullBatchTraining.Loss closure(Module driverModel) {
        return new FullBatchTraining.Loss() {
            @Override
            public double evaluate() {
                return FullBatchLoss.this.evaluate(driverModel);
            }

            @Override
            public double[] hessianVector(double[] v) {
                return FullBatchLoss.this.hessianVector(driverModel, v);
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
                return examples;
            }
        };
    }

    /** H·v of the mean loss at the driver's parameters (in the order of its trainable parameters), for Newton-CG. */
    private double[] hessianVector(Module driverModel, double[] v) {
        ModelFactory f = factory;
        Map<String, NdArray> total = sum(driverModel, (s, state) -> curvature(f, s, state, v));
        double examples = total.get(LocalSteps.EXAMPLES).item();
        double[] hv = total.get(HV).toDoubleArray();
        for (int i = 0; i < hv.length; i++) {
            hv[i] /= examples;
        }
        return hv;
    }

    private static final String HV = "#hv";

    /** What a partition computes from its shard and the driver's model state. */
    @FunctionalInterface
    interface PartitionSum extends Serializable {
        Packed apply(Shard shard, Map<String, NdArray> state);
    }

    /** {@code work} summed over every partition at the driver's current state, in {@link TreeSum}'s fixed order. */
    private Map<String, NdArray> sum(Module driverModel, PartitionSum work) {
        Broadcast<Packed> state = sc.broadcast(Packed.of(driverModel.stateDict()));
        TreeSum sum;
        try {
            sum = shards.mapPartitions((Iterator<Shard> it) -> {
                Shard s = it.next();
                return List.of(new TreeSum().add(s.index(), work.apply(s, state.value().toMap()))).iterator();
            }).treeAggregate(new TreeSum(), TreeSum::merge, TreeSum::merge);
        } finally {
            state.destroy();
        }
        if (sum.count() != partitions) {
            throw new IllegalStateException("the sum heard from " + sum.count() + " of " + partitions + " partitions");
        }
        return sum.total().toMap();
    }

    /** A partition's H·v of its loss sum: its mean's, times its examples (H·v is linear in the loss). */
    static Packed curvature(ModelFactory factory, Shard shard, Map<String, NdArray> state, double[] v) {
        Module m = factory.create();
        m.loadStateDict(state, true);
        Dataset data = shard.dataset();
        double[] hv = new DatasetLoss(m, data, LossFunction.crossEntropy()).hessianVector(v);
        for (int i = 0; i < hv.length; i++) {
            hv[i] *= data.size();
        }
        Map<String, NdArray> out = new LinkedHashMap<>();
        out.put(HV, NdArray.of(hv, hv.length));
        out.put(LocalSteps.EXAMPLES, NdArray.scalar(DType.FLOAT64, data.size()));
        return Packed.of(out);
    }

    private double evaluate(Module driverModel) {
        ModelFactory f = factory;
        Map<String, NdArray> total = sum(driverModel, (s, state) -> lossAndGradient(f, s, state));
        evaluations++;
        double examples = total.get(LocalSteps.EXAMPLES).item();
        Map<String, Tensor> params = driverModel.namedParameters();
        params.values().forEach(Tensor::zeroGrad);
        // Backward through Σ p·ĝ leaves exactly ĝ (the mean gradient) in each parameter's grad.
        Tensor surrogate = null;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            NdArray g = total.get(e.getKey()).mul(1 / examples);
            Tensor term = e.getValue().mul(Tensor.of(g)).sum();
            surrogate = surrogate == null ? term : surrogate.add(term);
        }
        if (surrogate != null) {
            surrogate.backward();
        }
        lastLoss = total.get(LocalSteps.LOSS).item() / examples;
        lastAccuracy = total.get(LocalSteps.CORRECT).item() / examples;
        return lastLoss;
    }

    /** A partition's loss sum and the gradient of that sum, in the parameters' own names. */
    static Packed lossAndGradient(ModelFactory factory, Shard shard, Map<String, NdArray> state) {
        Module m = factory.create();
        m.loadStateDict(state, true);
        Map<String, Tensor> params = m.namedParameters();
        Dataset data = shard.dataset();
        DatasetLoss mean = new DatasetLoss(m, data, LossFunction.crossEntropy());
        double loss = mean.evaluate() * data.size();
        double correct = Math.round(mean.lastAccuracy() * data.size());
        Map<String, NdArray> out = new LinkedHashMap<>();
        // Mean gradients times the examples: the gradients of the partition's loss sum.
        params.forEach((name, p) -> out.put(name, p.grad() != null ? p.grad().value().mul(data.size())
                : NdArray.zeros(p.dtype(), p.shape())));
        out.put(LocalSteps.LOSS, NdArray.scalar(DType.FLOAT64, loss));
        out.put(LocalSteps.CORRECT, NdArray.scalar(DType.FLOAT64, correct));
        out.put(LocalSteps.EXAMPLES, NdArray.scalar(DType.FLOAT64, data.size()));
        return Packed.of(out);
    }
}
