/**
 * The lessons of the lab, one small class per experiment holding its {@link descent.cli.lab.Experiment}:
 * name, title, lesson and the body that measures and judges. {@link descent.cli.lab.experiments.Experiments}
 * lists them in the order of the notes; they build on the framework and fixtures of
 * {@code descent.cli.lab}, never on each other.
 */
package descent.cli.lab.experiments;
