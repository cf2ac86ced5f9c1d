package descent.train;

/**
 * What one epoch measured. Training loss and accuracy are averages over the epoch's batches as
 * they were trained (train mode, weights changing); validation and test ones are measured after
 * the epoch in evaluation mode, NaN where there is no such set, and {@code averaged} says whether
 * they are of the averaged weights of iterate averaging rather than the trained ones.
 */
public record EpochMetrics(int epoch, long step, double trainLoss, double trainAccuracy, double validationLoss,
                           double validationAccuracy, double testLoss, double testAccuracy, double learningRate,
                           double seconds, double samplesPerSecond, boolean averaged) {

    /** The CSV header matching {@link #csvRow()}. */
    public static final String CSV_HEADER = "epoch,step,train_loss,train_accuracy,val_loss,val_accuracy,test_loss,"
            + "test_accuracy,learning_rate,seconds,samples_per_second";
    /** The column a history gains where some epoch was evaluated with averaged weights: true or false. */
    public static final String AVERAGED_COLUMN = "averaged_weights";

    /** Metrics of the trained weights themselves (no averaging). */
    public EpochMetrics(int epoch, long step, double trainLoss, double trainAccuracy, double validationLoss,
                        double validationAccuracy, double testLoss, double testAccuracy, double learningRate,
                        double seconds, double samplesPerSecond) {
        this(epoch, step, trainLoss, trainAccuracy, validationLoss, validationAccuracy, testLoss, testAccuracy,
                learningRate, seconds, samplesPerSecond, false);
    }

    /** The row under {@link #CSV_HEADER}, without the averaged column. */
    public String csvRow() {
        return epoch + "," + step + "," + num(trainLoss) + "," + num(trainAccuracy) + "," + num(validationLoss) + ","
                + num(validationAccuracy) + "," + num(testLoss) + "," + num(testAccuracy) + "," + num(learningRate) + ","
                + num(seconds) + "," + num(samplesPerSecond);
    }

    /**
     * A whole history as CSV: the header, then one row per epoch (history.csv, checkpoints). The
     * {@link #AVERAGED_COLUMN} is added only where some epoch was averaged, so runs without
     * averaging write what they always did.
     */
    public static String csv(java.util.List<EpochMetrics> history) {
        boolean withAveraged = history.stream().anyMatch(EpochMetrics::averaged);
        StringBuilder sb = new StringBuilder(CSV_HEADER).append(withAveraged ? "," + AVERAGED_COLUMN : "").append('\n');
        history.forEach(m -> sb.append(m.csvRow()).append(withAveraged ? "," + m.averaged : "").append('\n'));
        return sb.toString();
    }

    /** Reads what {@link #csv} wrote. */
    public static java.util.List<EpochMetrics> parseCsvTable(String text) {
        return text.lines().skip(1).filter(l -> !l.isBlank()).map(EpochMetrics::parseCsv).toList();
    }

    /** Parses a row written by {@link #csvRow()}, or one with the averaged column after it. */
    public static EpochMetrics parseCsv(String row) {
        String[] f = row.split(",", -1);
        if (f.length != 11 && !(f.length == 12 && (f[11].equals("true") || f[11].equals("false")))) {
            throw new IllegalArgumentException("a metrics row has 11 fields, or 12 with " + AVERAGED_COLUMN + " (true or "
                    + "false), got " + f.length + ": " + row);
        }
        double[] v = new double[11];
        for (int i = 2; i < 11; i++) {
            v[i] = f[i].isEmpty() ? Double.NaN : Double.parseDouble(f[i]);
        }
        return new EpochMetrics(Integer.parseInt(f[0]), Long.parseLong(f[1]), v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                v[9], v[10], f.length == 12 && f[11].equals("true"));
    }

    /** Full precision that round-trips; empty for NaN so spreadsheets see a missing value. */
    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }
}
