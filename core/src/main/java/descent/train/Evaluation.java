package descent.train;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.nn.Mode;
import descent.nn.Module;

/**
 * Mean loss, accuracy and confusion matrix of a classifier on a data set, measured in evaluation
 * mode without gradients. {@code confusion[t][p]} counts the examples of class t predicted as p.
 */
public record Evaluation(double loss, double accuracy, int examples, int[][] confusion) {

    public static Evaluation of(Module model, Dataset data, LossFunction lossFunction, int batchSize) {
        double lossSum = 0;
        long correct = 0;
        int[][] confusion = new int[data.classes()][data.classes()];
        DataLoader loader = DataLoader.inOrder(data, batchSize);
        try (var no = GradMode.noGrad(); DataLoader.Epoch epoch = loader.epoch(0, new SplitMix64(0), new SplitMix64(0))) {
            while (epoch.hasNext()) {
                Batch b = epoch.next();
                Tensor out = model.forward(Tensor.of(b.inputs()), Mode.EVAL);
                lossSum += lossFunction.loss(out, b.labels()).item() * b.size();
                int[] predicted = predictions(out);
                for (int i = 0; i < predicted.length; i++) {
                    confusion[b.labels()[i]][predicted[i]]++;
                    correct += predicted[i] == b.labels()[i] ? 1 : 0;
                }
            }
        }
        return new Evaluation(lossSum / data.size(), (double) correct / data.size(), data.size(), confusion);
    }

    /** The class each row of {@code [n, classes]} outputs has its maximum at (the first maximum wins). */
    public static int[] predictions(Tensor outputs) {
        float[] v = outputs.value().contiguous().toFloatArray();
        int n = outputs.shape()[0];
        int classes = v.length / n;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (v[i * classes + c] > v[i * classes + best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** How many rows of {@code [n, classes]} outputs have their maximum at the label. */
    public static int correct(Tensor outputs, int[] labels) {
        int[] predicted = predictions(outputs);
        int hits = 0;
        for (int i = 0; i < labels.length; i++) {
            hits += predicted[i] == labels[i] ? 1 : 0;
        }
        return hits;
    }

    /** The confusion matrix as aligned text: a row per true class (t), a column per predicted class (p). */
    public String confusionTable() {
        String cell = "%" + Math.max(5, Integer.toString(examples).length() + 1) + "s";
        StringBuilder sb = new StringBuilder(String.format(cell, "t\\p"));
        for (int p = 0; p < confusion.length; p++) {
            sb.append(String.format(cell, p));
        }
        for (int t = 0; t < confusion.length; t++) {
            sb.append('\n').append(String.format(cell, t));
            for (int p = 0; p < confusion.length; p++) {
                sb.append(String.format(cell, confusion[t][p]));
            }
        }
        return sb.toString();
    }
}
