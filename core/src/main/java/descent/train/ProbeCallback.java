package descent.train;

import descent.data.Batch;
import descent.diagnostics.Probes;
import descent.nn.ForwardObserver;

/** Attaches {@link Probes} to a {@link Trainer}: the sampled steps are recorded as training runs. */
public final class ProbeCallback implements Callback {

    private final Probes probes;

    public ProbeCallback(Probes probes) {
        this.probes = probes;
    }

    public Probes probes() {
        return probes;
    }

    @Override
    public ForwardObserver observeStep(Trainer trainer, long step) {
        return probes.observe(step);
    }

    @Override
    public void onBatchEnd(Trainer trainer, Batch batch, double loss, int correct) {
        probes.record(trainer.step());
    }
}
