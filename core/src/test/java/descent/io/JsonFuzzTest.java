package descent.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Json.read on any text: a value or an IOException naming the source, never another exception or a stack overflow. */
class JsonFuzzTest {

    @FuzzTest
    void read(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            Object v = Json.read(text, "fuzz.json");
            if (v instanceof String s && !s.equals(Json.read(Json.quote(s), "quoted"))) {
                throw new AssertionError("quote does not round-trip " + s);
            }
        } catch (IOException e) {
            FuzzFile.requireMentions(e, "fuzz.json");
        }
    }
}
