package descent.nn;

import descent.autograd.Tensor;
import java.util.List;

/** Modules applied in order, registered as children "0", "1", .... */
public final class Sequential extends Module {

    private final List<Module> layers;

    public Sequential(List<? extends Module> layers) {
        this.layers = List.copyOf(layers);
        for (int i = 0; i < this.layers.size(); i++) {
            registerModule(Integer.toString(i), this.layers.get(i));
        }
    }

    public Sequential(Module... layers) {
        this(List.of(layers));
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        // The registered names, in order, rather than Integer.toString(i) on every step.
        for (String name : children().keySet()) {
            x = forwardChild(name, x, mode);
        }
        return x;
    }

    public Module get(int index) {
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }

    public List<Module> layers() {
        return layers;
    }
}
