package descent.cli;

import descent.io.AtomicFiles;
import descent.train.Callback;
import descent.train.EpochMetrics;
import descent.train.GreedyPretraining;
import descent.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * history.csv of a run trained in stages: every stage's epochs one after another, numbered across
 * the run, with a last column {@code stage} naming each epoch's. The same instance is a callback of
 * every stage's trainer, which start in order (a resumed run starts the finished ones again, with
 * their histories read back), and rewrites the file atomically after every epoch.
 */
final class StagedHistoryFile implements Callback {

    static final String STAGE_COLUMN = "stage";

    private final Path file;
    private final List<String> names;
    private final List<Trainer> started = new ArrayList<>();

    StagedHistoryFile(Path file, List<GreedyPretraining.Stage> stages) {
        this.file = file;
        this.names = stages.stream().map(GreedyPretraining.Stage::name).toList();
    }

    @Override
    public void onTrainStart(Trainer trainer) {
        if (started.size() == names.size()) {
            throw new IllegalStateException("a staged history of " + names.size() + " stages saw another start");
        }
        started.add(trainer);
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochMetrics metrics) {
        try {
            AtomicFiles.writeString(file, csv());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stage of each epoch so far. */
    List<String> stageOfEpoch() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < started.size(); i++) {
            for (int e = 0; e < started.get(i).history().size(); e++) {
                out.add(names.get(i));
            }
        }
        return out;
    }

    String csv() {
        List<EpochMetrics> joined = GreedyPretraining.joined(started.stream().map(Trainer::history).toList());
        List<String> stage = stageOfEpoch();
        List<String> lines = EpochMetrics.csv(joined).lines().toList();
        StringBuilder sb = new StringBuilder(lines.getFirst()).append(',').append(STAGE_COLUMN).append('\n');
        for (int i = 1; i < lines.size(); i++) {
            sb.append(lines.get(i)).append(',').append(stage.get(i - 1)).append('\n');
        }
        return sb.toString();
    }
}
