package descent.nn;

import descent.autograd.Tensor;
import java.util.List;

/** Modules applied in order, registered as children "0", "1", .... */
public final class Sequential extends Module {

    private final List<Module> layers;
    /** The children's registered names, made once rather than on every forward pass. */
    private final String[] names;

    public Sequential(List<? extends Module> layers) {
        this.layers = List.copyOf(layers);
        this.names = new String[this.layers.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = Integer.toString(i);
            registerModule(names[i], this.layers.get(i));
        }
    }

    public Sequential(Module... layers) {
        this(List.of(layers));
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        for (String name : names) {
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
