/**
 * The {@code ./descent} command line: one picocli command per job (train, bench, and later the
 * lab's experiments). Commands parse options and print; the work itself lives in the library.
 */
package descent.cli;
