package descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {

    private static String run(int expectedCode, String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertEquals(expectedCode, Main.run(args));
        } finally {
            System.setOut(out);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheCommands() {
        String help = run(0, "--help");
        assertTrue(help.contains("train") && help.contains("bench"), help);
        assertTrue(run(0, "--version").startsWith("descent "));
    }

    @Test
    void gemmBenchPrintsCsvRows() {
        String csv = run(0, "bench", "gemm", "--csv", "--shapes", "16x10x8;8x8x8xT", "--threads", "1,2",
                "--repeats", "3", "--warmup-ms", "0");
        String[] lines = csv.strip().split("\n");
        assertEquals("m,n,k,threads,gflops_median,gflops_min,gflops_max", lines[0]);
        assertEquals(5, lines.length, csv);
        assertTrue(lines[1].startsWith("16,10,8,1,"), lines[1]);
        assertTrue(lines[4].startsWith("8,8,8,2,"), lines[4]);
        String[] f = lines[1].split(",");
        assertTrue(Double.parseDouble(f[5]) <= Double.parseDouble(f[4])
                && Double.parseDouble(f[4]) <= Double.parseDouble(f[6]), lines[1]);
    }

    @Test
    void badShapesAreRejected() {
        assertNotEquals(0, Main.run("bench", "gemm", "--shapes", "12x7"));
    }

    @Test
    void demoTrainingLearnsTheSpirals() {
        String out = run(0, "train", "--epochs", "150", "--points", "60");
        String last = out.lines().filter(l -> l.startsWith("epoch")).reduce((a, b) -> b).orElseThrow();
        double accuracy = Double.parseDouble(last.replaceAll(".*accuracy\\s+([0-9.]+)%.*", "$1"));
        assertTrue(accuracy > 90, out);
    }
}
