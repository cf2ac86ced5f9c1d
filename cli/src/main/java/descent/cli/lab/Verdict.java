package descent.cli.lab;

/**
 * One checked claim: what was measured next to what theory (or the notes) expects, and whether they
 * agree within the stated tolerance.
 */
public record Verdict(String claim, String measured, String expected, boolean holds) {

    public String line() {
        return (holds ? "[agrees] " : "[differs] ") + claim + ": measured " + measured + ", expected " + expected;
    }
}
