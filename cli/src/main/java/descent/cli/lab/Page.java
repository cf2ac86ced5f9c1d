package descent.cli.lab;

import descent.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The HTML pages of the lab: one per experiment and an index linking them; no scripts, nothing fetched. */
final class Page {

    private static final String STYLE = """
            <style>
            body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
            .lesson { background: #f4f6f8; border-radius: 8px; padding: 0.8rem 1.2rem; }
            .verdict { margin: 0.3rem 0; padding: 0.4rem 0.8rem; border-left: 5px solid; }
            .agrees { border-color: #2ca02c; background: #eef8ee; }
            .differs { border-color: #d62728; background: #fbeeee; }
            table { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0 1.5rem; }
            td, th { padding: 0.25rem 0.6rem; text-align: right; border-bottom: 1px solid #e3e3e3; }
            th:first-child, td:first-child { text-align: left; }
            figure { margin: 1rem 0; } img { max-width: 100%; } figcaption { color: #555; font-size: 0.9rem; }
            .card { display: inline-block; vertical-align: top; width: 30rem; max-width: 100%; margin: 0 1rem 1.5rem 0; }
            .card img { border: 1px solid #ddd; }
            </style>
            """;

    private Page() {}

    static void write(Lab lab) throws IOException {
        Experiment e = lab.experiment();
        StringBuilder body = new StringBuilder();
        body.append("<p><a href=\"../index.html\">All experiments</a></p>\n<h1>").append(escape(e.title())).append("</h1>\n")
                .append("<p class=\"lesson\">").append(escape(e.lesson())).append("</p>\n<h2>Verdict</h2>\n");
        verdicts(body, lab.verdicts());
        for (Lab.Part part : lab.parts()) {
            switch (part) {
                case Lab.FigurePart f -> body.append("<figure><img src=\"").append(escape(f.figure().file()))
                        .append("\" alt=\"").append(escape(f.figure().caption())).append("\"><figcaption>")
                        .append(escape(f.figure().caption())).append("</figcaption></figure>\n");
                case Lab.TablePart t -> table(body, t.table());
                case Lab.TextPart p -> body.append("<p>").append(escape(p.text())).append("</p>\n");
            }
        }
        body.append("<h2>Files</h2>\n<ul>\n");
        for (String f : lab.files()) {
            body.append("<li><a href=\"").append(escape(f)).append("\">").append(escape(f)).append("</a></li>\n");
        }
        body.append("</ul>\n");
        AtomicFiles.writeString(lab.dir().resolve("index.html"), document("Descent lab: " + e.title(), body));
    }

    /** The report of several experiments: each one's verdicts and first figure, linking to its page. */
    static void index(Path file, List<Lab> labs, List<String> failures) throws IOException {
        StringBuilder body = new StringBuilder("<h1>Descent lab</h1>\n<p class=\"lesson\">The classic lessons of "
                + "deep-network training, each reproduced by <code>./descent experiment NAME</code>. Every verdict puts "
                + "the measured quantity next to the one theory expects.</p>\n");
        long agree = labs.stream().flatMap(l -> l.verdicts().stream()).filter(Verdict::holds).count();
        long total = labs.stream().mapToLong(l -> l.verdicts().size()).sum();
        body.append("<p><b>").append(agree).append(" of ").append(total).append("</b> verdicts agree with theory.</p>\n");
        for (String f : failures) {
            body.append("<p class=\"verdict differs\">").append(escape(f)).append("</p>\n");
        }
        for (Lab lab : labs) {
            Experiment e = lab.experiment();
            String link = e.name() + "/index.html";
            body.append("<div class=\"card\"><h2><a href=\"").append(escape(link)).append("\">").append(escape(e.title()))
                    .append("</a></h2>\n");
            lab.parts().stream().filter(p -> p instanceof Lab.FigurePart).findFirst().ifPresent(p -> {
                String img = e.name() + "/" + ((Lab.FigurePart) p).figure().file();
                body.append("<a href=\"").append(escape(link)).append("\"><img src=\"").append(escape(img))
                        .append("\" alt=\"").append(escape(e.title())).append("\"></a>\n");
            });
            verdicts(body, lab.verdicts());
            body.append("</div>\n");
        }
        AtomicFiles.writeString(file, document("Descent lab", body));
    }

    private static void verdicts(StringBuilder body, List<Verdict> verdicts) {
        for (Verdict v : verdicts) {
            body.append("<div class=\"verdict ").append(v.holds() ? "agrees" : "differs").append("\"><b>")
                    .append(escape(v.claim())).append("</b>: measured ").append(escape(v.measured()))
                    .append("; expected ").append(escape(v.expected())).append("</div>\n");
        }
    }

    private static void table(StringBuilder body, Lab.Table t) {
        body.append("<h3>").append(escape(t.caption())).append("</h3>\n<table><tr>");
        t.header().forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> row : t.rows()) {
            body.append("<tr>");
            row.forEach(c -> body.append("<td>").append(escape(c)).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</table>\n");
    }

    private static String document(String title, StringBuilder body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>\n"
                + STYLE + "</head><body>\n" + body + "</body></html>\n";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
