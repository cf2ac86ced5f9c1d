package descent.cli.plot;

import descent.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Curves of y against x (training curves, norms by layer), written as a PNG. */
public final class LinePlot {

    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final XYSeriesCollection data = new XYSeriesCollection();
    private boolean logY;
    private boolean logX;
    private final java.util.List<ValueMarker> markers = new java.util.ArrayList<>();

    public LinePlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a curve; points whose y is NaN are skipped (and so is a curve with none left). */
    public LinePlot series(String name, double[] x, double[] y) {
        XYSeries s = new XYSeries(name, false, true);
        for (int i = 0; i < x.length; i++) {
            if (!Double.isNaN(y[i]) && (!logY || y[i] > 0) && (!logX || x[i] > 0)) {
                s.add(x[i], y[i]);
            }
        }
        if (s.getItemCount() > 0) {
            data.addSeries(s);
        }
        return this;
    }

    /** A labelled vertical line at {@code x} (where a stage of training begins, say). */
    public LinePlot marker(double x, String label) {
        ValueMarker m = new ValueMarker(x, new Color(0x888888), new BasicStroke(1f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        m.setLabel(label);
        m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        markers.add(m);
        return this;
    }

    /** A logarithmic y axis (set before adding series: non-positive values are dropped). */
    public LinePlot logY() {
        this.logY = true;
        return this;
    }

    /** A logarithmic x axis (set before adding series: points at non-positive x are dropped). */
    public LinePlot logX() {
        this.logX = true;
        return this;
    }

    public void write(Path file, int width, int height) throws IOException {
        ValueAxis y;
        if (logY) {
            LogAxis log = new LogAxis(yLabel);
            log.setSmallestValue(1e-12);
            y = log;
        } else {
            NumberAxis lin = new NumberAxis(yLabel);
            lin.setAutoRangeIncludesZero(false);
            y = lin;
        }
        ValueAxis x;
        if (logX) {
            x = new LogAxis(xLabel);
        } else {
            NumberAxis lin = new NumberAxis(xLabel);
            lin.setAutoRangeIncludesZero(false);
            x = lin;
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            renderer.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
        }
        if (!markers.isEmpty() && data.getSeriesCount() > 0) { // the axis ranges over the markers too
            double lo = Math.min(data.getDomainLowerBound(false), markers.stream().mapToDouble(ValueMarker::getValue).min()
                    .orElseThrow());
            double hi = Math.max(data.getDomainUpperBound(false), markers.stream().mapToDouble(ValueMarker::getValue).max()
                    .orElseThrow());
            double pad = 0.02 * Math.max(hi - lo, 1e-9);
            x.setRange(lo - pad, hi + pad);
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        markers.forEach(plot::addDomainMarker);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, width, height));
    }
}
