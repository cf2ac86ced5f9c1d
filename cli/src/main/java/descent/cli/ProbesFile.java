package descent.cli;

import descent.cli.plot.LinePlot;
import descent.diagnostics.Probes;
import descent.io.AtomicFiles;
import descent.train.Callback;
import descent.train.EpochMetrics;
import descent.train.ProbeCallback;
import descent.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code train --probes EVERY}: per-layer statistics ({@link Probes}) every EVERY steps, added to the
 * run folder's {@code probes.csv} after each epoch (atomically, so a resumed run goes on appending
 * where the checkpoint left it), and drawn into {@code probes.png} for the report.
 */
final class ProbesFile implements Callback {

    private final ProbeCallback probes;
    private final Path file;
    private int written;

    ProbesFile(Probes probes, Path file) {
        this.probes = new ProbeCallback(probes);
        this.file = file;
    }

    /** The callback that samples the steps; this one only writes what it sampled. */
    ProbeCallback sampler() {
        return probes;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochMetrics metrics) {
        try {
            List<String> rows = probes.probes().csv().lines().skip(1).toList();
            String before = Files.exists(file) ? Files.readString(file) : Probes.CSV_HEADER + "\n";
            StringBuilder sb = new StringBuilder(before);
            rows.subList(written, rows.size()).forEach(r -> sb.append(r).append('\n'));
            AtomicFiles.writeString(file, sb.toString());
            written = rows.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** probes.png: each layer's activation norm per example against the step (log scale). */
    static void plot(Path csv, Path png) throws IOException {
        Map<String, List<double[]>> byLayer = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(csv);
        for (String row : lines.subList(1, lines.size())) {
            String[] f = row.split(",");
            if (f[2].equals(Probes.Quantity.ACTIVATION.label())) {
                byLayer.computeIfAbsent(f[1], k -> new ArrayList<>()).add(new double[] {Double.parseDouble(f[0]),
                        Double.parseDouble(f[3]) / Math.sqrt(Double.parseDouble(f[6]))});
            }
        }
        LinePlot plot = new LinePlot("Activation norm per example, by layer", "step", "norm (log scale)").logY();
        byLayer.forEach((layer, points) -> plot.series(layer, points.stream().mapToDouble(p -> p[0]).toArray(),
                points.stream().mapToDouble(p -> p[1]).toArray()));
        plot.write(png, 800, 450);
    }
}
