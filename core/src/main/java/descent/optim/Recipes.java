package descent.optim;

import java.util.ArrayList;
import java.util.List;

/** What every first-order recipe shares: its checks, and a chain's first and last rules. */
final class Recipes {

    private Recipes() {}

    /** A schedule is given, and the weight decay and element clip are finite and ≥ 0. */
    static void check(String method, Schedule lr, double weightDecay, double clipValue) {
        if (lr == null) {
            throw new IllegalArgumentException(method + ": a learning rate is needed");
        }
        Transforms.requireNonNegative(method, "weight decay", weightDecay);
        Transforms.requireNonNegative(method, "clip value", clipValue);
    }

    /** [clip each element to ±clipValue] → the method's rules → −lr(t). */
    @SafeVarargs
    @SuppressWarnings("varargs") // List.of only reads the array
    static Rule.Chain chain(double clipValue, Schedule lr, Rule<? extends Record>... rules) {
        List<Rule<? extends Record>> chain = new ArrayList<>();
        if (clipValue > 0) {
            chain.add(Transforms.clipByValue(clipValue));
        }
        chain.addAll(List.of(rules));
        chain.add(Transforms.scaleByLearningRate(lr));
        return new Rule.Chain(chain);
    }
}
