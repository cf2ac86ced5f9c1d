package descent.optim;

/** A learning rate as a pure function of the step t = 0, 1, 2, ... (the number of updates made before). */
@FunctionalInterface
public interface Schedule {

    double at(long step);
}
