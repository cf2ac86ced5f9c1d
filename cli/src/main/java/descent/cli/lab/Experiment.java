package descent.cli.lab;

import java.io.IOException;

/** One lesson of the notes, reproduced: it measures, writes its files through the {@link Lab} and gives verdicts. */
public interface Experiment {

    /** The command-line name, such as {@code init-variance}. */
    String name();

    /** A heading for its page. */
    String title();

    /** What the notes teach and how the experiment shows it, in a few sentences. */
    String lesson();

    void run(Lab lab) throws IOException;
}
