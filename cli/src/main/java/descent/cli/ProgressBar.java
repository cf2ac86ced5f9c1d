package descent.cli;

import descent.data.Batch;
import descent.train.Callback;
import descent.train.EpochMetrics;
import descent.train.Trainer;
import java.io.PrintStream;
import java.util.Locale;

/**
 * One line per epoch. On a terminal the line is a live bar, redrawn at most ten times a second,
 * with the running loss and accuracy, samples per second and the time left in the epoch; when
 * output goes to a file or pipe only the finished lines are printed.
 */
final class ProgressBar implements Callback {

    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final int epochs;
    private final boolean live;
    private int epoch;
    private int batches;
    private int done;
    private long examples;
    private double lossSum;
    private long correct;
    private long start;
    private long lastDraw;
    private int resumedAt;

    ProgressBar(PrintStream out, int epochs) {
        this.out = out;
        this.epochs = epochs;
        var console = System.console();
        this.live = console != null && console.isTerminal();
    }

    @Override
    public void onEpochStart(Trainer trainer, int epoch, int batches) {
        this.epoch = epoch;
        this.batches = batches;
        done = trainer.batchesIntoEpoch(); // resumed from inside the epoch: the bar starts where it was
        resumedAt = done;
        examples = 0;
        lossSum = 0;
        correct = 0;
        start = System.nanoTime();
        lastDraw = 0;
    }

    @Override
    public void onBatchEnd(Trainer trainer, Batch batch, double loss, int hits) {
        done++;
        examples += batch.size();
        lossSum += loss * batch.size();
        correct += hits;
        long now = System.nanoTime();
        if (live && (now - lastDraw > REDRAW_NANOS || done == batches)) {
            lastDraw = now;
            double seconds = (now - start) / 1e9;
            int filled = (int) ((long) WIDTH * done / batches);
            String bar = "█".repeat(filled) + "░".repeat(WIDTH - filled);
            double rate = examples / Math.max(seconds, 1e-9);
            double eta = seconds / (done - resumedAt) * (batches - done);
            out.printf(Locale.ROOT, "\r%s %s %3d%%  loss %.4f  acc %6.2f%%  %s samples/s  ETA %s ", label(), bar,
                    100 * done / batches, lossSum / examples, 100.0 * correct / examples, thousands(rate), clock(eta));
            out.flush();
        }
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochMetrics m) {
        StringBuilder sb = new StringBuilder(live ? "\r\033[K" : "");
        sb.append(String.format(Locale.ROOT, "%s  loss %.4f  acc %6.2f%%", label(), m.trainLoss(), 100 * m.trainAccuracy()));
        String of = m.averaged() ? "averaged " : ""; // measured with iterate averaging's weights
        if (!Double.isNaN(m.validationLoss())) {
            sb.append(String.format(Locale.ROOT, "  │ " + of + "val loss %.4f  acc %6.2f%%", m.validationLoss(),
                    100 * m.validationAccuracy()));
        }
        if (!Double.isNaN(m.testLoss())) {
            sb.append(String.format(Locale.ROOT, "  │ " + of + "test loss %.4f  acc %6.2f%%", m.testLoss(), 100 * m.testAccuracy()));
        }
        sb.append(String.format(Locale.ROOT, "  │ %s samples/s, %.1f s", thousands(m.samplesPerSecond()), m.seconds()));
        out.println(sb);
    }

    private String label() {
        int w = Integer.toString(epochs).length();
        return String.format("epoch %" + w + "d/%d", epoch, epochs);
    }

    static String thousands(double rate) {
        return rate >= 1e4 ? String.format(Locale.ROOT, "%.1fk", rate / 1e3) : String.format(Locale.ROOT, "%.0f", rate);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
