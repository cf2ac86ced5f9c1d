/**
 * Files: safetensors state dicts (read without trusting the file) and atomic writes, so that a
 * crash never leaves a half-written checkpoint or report.
 */
package descent.io;
