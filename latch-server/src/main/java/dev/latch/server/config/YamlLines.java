package dev.latch.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The line of each setting of the configuration file, by its path ({@code tokens.default-profile},
 * {@code resources[1].token-profile}), so that a problem names the file and line. Jackson's tree model,
 * which the loader binds from, keeps no locations; this reads the same text once more as parser events.
 * Settings from the environment or the command line have no line.
 */
final class YamlLines {

    static final YamlLines NONE = new YamlLines(null, Map.of());
    private static final YAMLFactory YAML = new YAMLFactory();

    private final Path file;
    private final Map<String, Integer> lines;

    private YamlLines(Path file, Map<String, Integer> lines) {
        this.file = file;
        this.lines = lines;
    }

    /** The lines of {@code content}, the text of {@code file}; none when it is not YAML (the loader reports that). */
    static YamlLines of(Path file, String content) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = YAML.createParser(content)) {
            JsonToken token = parser.nextToken();
            if (token != null) {
                read(parser, token, "", lines);
            }
        } catch (IOException e) {
            return NONE;
        }
        return new YamlLines(file, Map.copyOf(lines));
    }

    /** {@code FILE:LINE: } for the setting at {@code path} when it came from the file, else "". */
    String at(String path) {
        Integer line = lines.get(path);
        return line == null ? "" : file + ":" + line + ": ";
    }

    private static void read(JsonParser parser, JsonToken token, String path, Map<String, Integer> lines) throws IOException {
        if (token == JsonToken.START_OBJECT) {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String child = path.isEmpty() ? parser.currentName() : path + "." + parser.currentName();
                lines.putIfAbsent(child, parser.currentTokenLocation().getLineNr());
                read(parser, parser.nextToken(), child, lines);
            }
        } else if (token == JsonToken.START_ARRAY) {
            int i = 0;
            for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                String child = path + "[" + i++ + "]";
                lines.putIfAbsent(child, parser.currentTokenLocation().getLineNr());
                read(parser, t, child, lines);
            }
        }
    }
}
