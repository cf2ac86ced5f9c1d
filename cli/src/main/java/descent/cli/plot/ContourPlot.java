package descent.cli.plot;

import descent.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A filled contour map of a 2-D function with optimizer paths drawn over it. Levels are spaced
 * evenly in log(f − min f + 1), so narrow valleys (Rosenbrock) and wide bowls both show their
 * shape; each level band gets one shade, which draws the contour lines as band edges.
 */
public final class ContourPlot {

    private static final int GRID = 200;
    private static final int LEVELS = 24;
    private static final Color[] PATH_COLORS = {
        new Color(0xd62728), new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf), new Color(0xbcbd22), new Color(0x7f7f7f),
        Color.BLACK, new Color(0x393b79)};

    private final String title;
    private final DoubleBinaryOperator f;
    private final Map<String, List<double[]>> paths = new LinkedHashMap<>();
    private final List<double[]> markers = new ArrayList<>();

    public ContourPlot(String title, DoubleBinaryOperator f) {
        this.title = title;
        this.f = f;
    }

    /** A path of (x, y) points under a legend name. */
    public ContourPlot path(String name, List<double[]> points) {
        paths.put(name, points);
        return this;
    }

    /** A point to mark, such as a known minimum. */
    public ContourPlot marker(double x, double y) {
        markers.add(new double[] {x, y});
        return this;
    }

    /** Writes the PNG atomically; the view frames every finite path point and marker with a margin. */
    public void write(Path file, int width, int height) throws IOException {
        double[] box = bounds();
        DefaultXYZDataset grid = new DefaultXYZDataset();
        double[][] xyz = new double[3][GRID * GRID];
        double dx = (box[1] - box[0]) / (GRID - 1);
        double dy = (box[3] - box[2]) / (GRID - 1);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < GRID; i++) {
            for (int j = 0; j < GRID; j++) {
                int k = i * GRID + j;
                xyz[0][k] = box[0] + i * dx;
                xyz[1][k] = box[2] + j * dy;
                xyz[2][k] = f.applyAsDouble(xyz[0][k], xyz[1][k]);
                if (Double.isFinite(xyz[2][k])) {
                    lo = Math.min(lo, xyz[2][k]);
                    hi = Math.max(hi, xyz[2][k]);
                }
            }
        }
        for (int k = 0; k < xyz[2].length; k++) {
            xyz[2][k] = Math.log1p(Math.max(0, xyz[2][k] - lo)); // the level coordinate
        }
        grid.addSeries("f", xyz);
        double top = Math.log1p(hi - lo);
        LookupPaintScale scale = new LookupPaintScale(0, Math.max(top, 1e-12) * 1.0001, Color.WHITE);
        for (int level = 0; level < LEVELS; level++) {
            float shade = (float) level / (LEVELS - 1);
            scale.add(top * level / LEVELS, new Color(Color.HSBtoRGB(0.58f - 0.5f * shade, 0.35f + 0.25f * shade,
                    0.98f - 0.25f * shade)));
        }
        XYBlockRenderer blocks = new XYBlockRenderer();
        blocks.setBlockWidth(dx);
        blocks.setBlockHeight(dy);
        blocks.setPaintScale(scale);
        blocks.setDefaultSeriesVisibleInLegend(false);

        XYSeriesCollection lines = new XYSeriesCollection();
        XYLineAndShapeRenderer lineRenderer = new XYLineAndShapeRenderer(true, true);
        Shape dot = new Ellipse2D.Double(-2, -2, 4, 4);
        int s = 0;
        for (Map.Entry<String, List<double[]>> e : paths.entrySet()) {
            XYSeries series = new XYSeries(e.getKey(), false, true);
            for (double[] p : e.getValue()) {
                if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                    series.add(p[0], p[1]);
                }
            }
            lines.addSeries(series);
            lineRenderer.setSeriesPaint(s, PATH_COLORS[s % PATH_COLORS.length]);
            lineRenderer.setSeriesStroke(s, new BasicStroke(1.6f));
            lineRenderer.setSeriesShape(s, dot);
            s++;
        }
        XYSeries minima = new XYSeries("minimum", false, true);
        markers.forEach(m -> minima.add(m[0], m[1]));
        lines.addSeries(minima);
        lineRenderer.setSeriesPaint(s, Color.BLACK);
        lineRenderer.setSeriesLinesVisible(s, false);
        lineRenderer.setSeriesShape(s, new Ellipse2D.Double(-5, -5, 10, 10));

        NumberAxis xAxis = new NumberAxis("x");
        NumberAxis yAxis = new NumberAxis("y");
        xAxis.setRange(box[0], box[1]);
        yAxis.setRange(box[2], box[3]);
        XYPlot plot = new XYPlot(lines, xAxis, yAxis, lineRenderer);
        plot.setDataset(1, grid);
        plot.setRenderer(1, blocks);
        plot.setDatasetRenderingOrder(org.jfree.chart.plot.DatasetRenderingOrder.REVERSE);
        plot.setBackgroundPaint(Color.WHITE);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, width, height));
    }

    /** [xmin, xmax, ymin, ymax] around the paths and markers, at least 1 wide, with a 15 % margin. */
    private double[] bounds() {
        double x0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        List<double[]> all = new ArrayList<>(markers);
        paths.values().forEach(all::addAll);
        for (double[] p : all) {
            if (Double.isFinite(p[0]) && Double.isFinite(p[1]) && Math.abs(p[0]) < 1e6 && Math.abs(p[1]) < 1e6) {
                x0 = Math.min(x0, p[0]);
                x1 = Math.max(x1, p[0]);
                y0 = Math.min(y0, p[1]);
                y1 = Math.max(y1, p[1]);
            }
        }
        if (x0 > x1) {
            x0 = y0 = -1;
            x1 = y1 = 1;
        }
        double w = Math.max(x1 - x0, 1);
        double h = Math.max(y1 - y0, 1);
        double cx = (x0 + x1) / 2;
        double cy = (y0 + y1) / 2;
        return new double[] {cx - 0.65 * w, cx + 0.65 * w, cy - 0.65 * h, cy + 0.65 * h};
    }
}
