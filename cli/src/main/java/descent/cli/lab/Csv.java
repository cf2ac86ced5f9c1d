package descent.cli.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Rows for one CSV file under a fixed header; numbers are written in full precision. */
public final class Csv {

    private final String header;
    private final int columns;
    private final List<String> rows = new ArrayList<>();

    public Csv(String header) {
        this.header = header;
        this.columns = header.split(",").length;
    }

    public Csv row(Object... values) {
        if (values.length != columns) {
            throw new IllegalArgumentException("CSV row has " + values.length + " values for header " + header);
        }
        StringBuilder sb = new StringBuilder();
        for (Object v : values) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            String s = v instanceof Double d ? (Double.isFinite(d) ? Double.toString(d) : d.isNaN() ? "nan"
                    : d > 0 ? "inf" : "-inf") : String.valueOf(v);
            sb.append(s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s);
        }
        rows.add(sb.toString());
        return this;
    }

    public int size() {
        return rows.size();
    }

    public String text() {
        return header + "\n" + String.join("\n", rows) + (rows.isEmpty() ? "" : "\n");
    }

    /** A number for a page or a verdict: 4 significant digits. */
    public static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
