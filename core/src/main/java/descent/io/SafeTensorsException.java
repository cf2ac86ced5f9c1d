package descent.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that is malformed, truncated or inconsistent; the message names the file. */
public final class SafeTensorsException extends IOException {

    public SafeTensorsException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
