/**
 * The lab's framework: an {@link descent.cli.lab.Experiment} is a lesson of the course notes as data
 * (name, title, lesson) with a body that measures through a {@link descent.cli.lab.Lab}, which
 * collects its CSV files, PNG plots and verdicts for the HTML page that the
 * {@link descent.cli.lab.Runner} writes. The shared fixtures that train and measure
 * ({@link descent.cli.lab.MnistRun}, {@link descent.cli.lab.Comparison}, {@link descent.cli.lab.Batches},
 * {@link descent.cli.lab.DeepNets}, {@link descent.cli.lab.NoisyQuadratic}) live here too; the
 * lessons themselves are in {@code descent.cli.lab.experiments}.
 */
package descent.cli.lab;
