package dev.latch.client.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the code shown in {@code docs/} true: a page's {@code ```java} blocks must be, verbatim and in
 * order, the regions of compiled example classes between {@code // guide:start} and {@code // guide:end}
 * (de-indented), so an API change breaks the build instead of the page. Shell blocks ({@code ```sh}) are
 * the ones {@code docs/run-examples.sh} runs; {@link #shellBlocks} reads them by the same rule.
 *
 * <p>Module tests run with their module directory as working directory; paths here are relative to the
 * repository root.
 */
public final class DocExamples {

    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern SHELL_BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern REGION = Pattern.compile("// guide:start\\n(.*?)\\n\\s*// guide:end", Pattern.DOTALL);

    private DocExamples() {}

    /** The repository root: the nearest directory upwards from the working directory that holds {@code docs/}. */
    public static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("docs")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root with docs/ above " + Path.of("").toAbsolutePath());
    }

    /** A file of the repository, e.g. {@code docs/guides/office365-mail.md}. */
    public static Path file(String pathFromRoot) {
        return root().resolve(pathFromRoot);
    }

    /** The {@code ```java} blocks of a Markdown page, each without surrounding blank space. */
    public static List<String> javaBlocks(String page) {
        return blocks(JAVA_BLOCK, read(file(page))).stream().map(String::strip).toList();
    }

    /** The fenced blocks of {@code language} ({@code properties}, {@code yaml}…) of a Markdown page, de-indented. */
    public static List<String> fencedBlocks(String page, String language) {
        Pattern fence = Pattern.compile("```" + Pattern.quote(language) + "\\n(.*?)```", Pattern.DOTALL);
        return blocks(fence, read(file(page))).stream().map(String::stripIndent).toList();
    }

    /** The {@code ```sh} blocks of a Markdown page, de-indented (a block may sit inside a list item). */
    public static List<String> shellBlocks(String page) {
        return blocks(SHELL_BLOCK, read(file(page))).stream().map(String::stripIndent).toList();
    }

    /** The {@code // guide:start} … {@code // guide:end} regions of Java sources, in order, de-indented. */
    public static List<String> regions(String... sources) {
        List<String> out = new ArrayList<>();
        for (String source : sources) {
            Matcher m = REGION.matcher(read(file(source)));
            while (m.find()) {
                out.add(m.group(1).stripIndent().strip());
            }
        }
        return out;
    }

    /** Asserts that {@code page} shows exactly the regions of {@code sources}, block for block. */
    public static void assertPageShowsExactly(String page, String... sources) {
        List<String> compiled = regions(sources);
        assertThat(compiled).as("regions in %s", String.join(", ", sources)).isNotEmpty();
        assertThat(javaBlocks(page)).as("the java blocks of %s, which must be the compiled regions of %s", page,
                String.join(", ", sources)).isEqualTo(compiled);
    }

    private static List<String> blocks(Pattern pattern, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
