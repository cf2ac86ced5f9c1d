package descent.init;

/** Which size n of a weight the variance c/n divides by. */
public enum FanMode {
    /** Inputs per unit: keeps the forward activations' variance. */
    FAN_IN,
    /** Outputs per unit: keeps the backward gradients' variance. */
    FAN_OUT,
    /** (fan_in + fan_out)/2: Glorot's compromise between the two. */
    FAN_AVG;

    /** n for a weight of the given fans. */
    double of(Fans fans) {
        return switch (this) {
            case FAN_IN -> fans.in();
            case FAN_OUT -> fans.out();
            case FAN_AVG -> (fans.in() + fans.out()) / 2.0;
        };
    }

    /** The name used on the command line: fan_in, fan_out or fan_avg. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static FanMode parse(String label) {
        for (FanMode m : values()) {
            if (m.label().equals(label)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown fan mode '" + label + "' (expected fan_in, fan_out or fan_avg)");
    }
}
