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
        for (Module layer : layers) {
            x = layer.forward(x, mode);
        }
        return x;
    }

    @Override
    protected Tensor forwardObserved(Tensor x, Mode mode, String name, ForwardObserver observer) {
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forwardObserved(x, mode, childName(name, Integer.toString(i)), observer);
        }
        observer.output(name, this, x);
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
