package dev.latch.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/audit.md documents exactly the events and fields {@link AuditEvent} and {@link Audit} have, and
 * {@link Audit} is the only code of the server and the CLI that names the {@code latch.audit} logger.
 */
class AuditDocumentationTest {

    private static final Path ROOT = Path.of("..");
    private static final Path PAGE = ROOT.resolve("docs/audit.md");

    /** The names in the first column of the page's tables whose heading row starts with {@code heading}. */
    private static List<String> firstColumn(String heading) throws IOException {
        List<String> out = new ArrayList<>();
        boolean inside = false;
        Pattern cell = Pattern.compile("^\\| `([^`]+)` \\|");
        for (String line : Files.readAllLines(PAGE)) {
            if (line.startsWith("| " + heading + " |")) {
                inside = true;
            } else if (!line.startsWith("|")) {
                inside = false;
            } else if (inside) {
                Matcher m = cell.matcher(line);
                if (m.find()) out.add(m.group(1));
            }
        }
        return out;
    }

    @Test
    void everyEventIsDocumentedAndNothingElse() throws IOException {
        assertThat(firstColumn("event")).containsExactlyInAnyOrderElementsOf(AuditLogCheck.EVENTS);
    }

    @Test
    void everyFieldIsDocumentedAndNothingElse() throws IOException {
        List<String> fields = new ArrayList<>(AuditLogCheck.KEYS);
        fields.addAll(List.of("ts", "event", "outcome"));
        assertThat(firstColumn("field")).containsExactlyInAnyOrderElementsOf(fields);
    }

    @Test
    void onlyAuditNamesTheAuditLogger() throws IOException {
        List<String> naming = new ArrayList<>();
        for (String module : List.of("latch-server", "latch-cli", "latch-gateway", "latch-core")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    if (Files.readString(f).contains("\"latch.audit\"")) naming.add(ROOT.relativize(f).toString());
                }
            }
        }
        assertThat(naming).containsExactly("latch-server/src/main/java/dev/latch/server/audit/Audit.java");
    }
}
