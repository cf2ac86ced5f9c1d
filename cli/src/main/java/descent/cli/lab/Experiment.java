package descent.cli.lab;

import java.io.IOException;
import java.util.Objects;

/**
 * One lesson of the notes, reproduced: its name, title and lesson as data, and the body that
 * measures, writes its files through the {@link Lab} and gives verdicts.
 *
 * @param name the command-line name, such as {@code init-variance}
 * @param title a heading for its page
 * @param lesson what the notes teach and how the experiment shows it, in a few sentences
 * @param body the measurement and its verdicts
 */
public record Experiment(String name, String title, String lesson, Body body) {

    /** The code of an experiment: it measures and judges, writing everything through the lab. */
    @FunctionalInterface
    public interface Body {
        void run(Lab lab) throws IOException;
    }

    public Experiment {
        if (!name.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("an experiment's name is lower-case words joined by '-': " + name);
        }
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(lesson, "lesson");
        Objects.requireNonNull(body, "body");
    }
}
