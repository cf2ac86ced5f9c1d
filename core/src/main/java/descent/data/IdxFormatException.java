package descent.data;

import java.io.IOException;
import java.nio.file.Path;

/** An IDX file that is truncated, corrupt or not IDX at all; the message names the file and the offset. */
public final class IdxFormatException extends IOException {

    public IdxFormatException(Path file, long offset, String problem) {
        super(file + ": " + problem + " (at byte offset " + offset + ")");
    }
}
