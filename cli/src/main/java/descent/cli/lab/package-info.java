/**
 * The lab: each {@link descent.cli.lab.Experiment} reproduces one lesson of the course notes on
 * deep-network training, writes its data as CSV, its plots as PNG and a page of HTML, and states a
 * verdict that puts the measured quantity beside the one theory expects.
 */
package descent.cli.lab;
