package descent.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aWriteThatFailsOnAFullDiskNamesTheFileAndKeepsTheOldOne() throws IOException {
        Path target = dir.resolve("checkpoint.safetensors");
        AtomicFiles.writeString(target, "the previous checkpoint");
        AtomicFiles.simulateFullDisk(p -> p.equals(target));
        try {
            IOException e = assertThrows(IOException.class,
                    () -> AtomicFiles.writeString(target, "x".repeat(100_000)));
            assertTrue(e.getMessage().startsWith("could not write " + target), e.getMessage());
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            assertTrue(e.getMessage().contains("the file as it was before is kept"), e.getMessage());
            AtomicFiles.writeString(dir.resolve("other.txt"), "other targets are written");
        } finally {
            AtomicFiles.simulateFullDisk(null);
        }
        assertEquals("the previous checkpoint", Files.readString(target));
        assertEquals(List.of("checkpoint.safetensors", "other.txt"), files(), "no temporary file left");
    }

    @Test
    void theBodysOwnErrorsPassUnchanged() throws IOException {
        Path target = dir.resolve("a.txt");
        IOException mine = new IOException("mine");
        assertEquals(mine, assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw mine;
        })));
        assertEquals(List.of(), files());
    }

    @Test
    void aFolderThatCannotBeCreatedIsNamed() throws IOException {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "a file where a folder should be");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(blocker.resolve("x.txt"), "x"));
        assertTrue(e.getMessage().startsWith("could not write " + blocker.resolve("x.txt")), e.getMessage());
    }

    @Test
    void leftoversOfKilledWritesAreRemovedAndNothingElse() throws IOException {
        for (String name : List.of(".checkpoint.safetensors.123456789.tmp", ".history.csv.42.tmp", "model.safetensors",
                ".lock", "notes.tmp", ".a.b.tmp")) {
            Files.writeString(dir.resolve(name), "x");
        }
        List<Path> removed = AtomicFiles.removeLeftovers(dir);
        assertEquals(2, removed.size(), removed.toString());
        assertEquals(List.of(".a.b.tmp", ".lock", "model.safetensors", "notes.tmp"), files());
    }
}
