package dev.latch.gateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A node of gateway.yaml that remembers where it came from, so that every problem can name the file,
 * the line and the key ({@code gateway.yaml:14: routes[1].upstream}). Jackson's tree model keeps no
 * locations, so the tree is built here from {@link YAMLParser} events. Settings from the environment or
 * the command line are nodes too, named by their variable or flag instead of a file line.
 */
final class YamlNode {

    enum Kind { MAPPING, SEQUENCE, SCALAR }

    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    private final Kind kind;
    private final String source;   // file label, or null for the environment, flags and the absent file
    private final int line;
    private final String path;     // routes[1].upstream; "" for the root
    private final String variable; // LATCH_GATEWAY_PORT or --port when the value came from there
    private final String text;     // scalars only; null for YAML null
    private final Map<String, YamlNode> entries;
    private final List<YamlNode> items;

    private YamlNode(Kind kind, String source, int line, String path, String variable, String text) {
        this.kind = kind;
        this.source = source;
        this.line = line;
        this.path = path;
        this.variable = variable;
        this.text = text;
        this.entries = kind == Kind.MAPPING ? new LinkedHashMap<>() : Map.of();
        this.items = kind == Kind.SEQUENCE ? new ArrayList<>() : List.of();
    }

    /** An empty root mapping, for an empty file ({@code source} line 1) or no file at all ({@code source} null). */
    static YamlNode emptyRoot(String source) {
        return new YamlNode(Kind.MAPPING, source, 1, "", null, null);
    }

    /** A value from an environment variable or a flag ({@code variable}) for the dotted setting {@code path}. */
    static YamlNode fromVariable(String variable, String path, String value) {
        return new YamlNode(Kind.SCALAR, null, 0, path, variable, value);
    }

    Kind kind() { return kind; }
    boolean isMapping() { return kind == Kind.MAPPING; }
    boolean isSequence() { return kind == Kind.SEQUENCE; }
    boolean isScalar() { return kind == Kind.SCALAR; }
    /** True for a YAML null ({@code key:}, {@code ~}), which counts as absent. */
    boolean isNull() { return kind == Kind.SCALAR && text == null; }
    String path() { return path; }
    String text() { return text; }
    Map<String, YamlNode> entries() { return Collections.unmodifiableMap(entries); }
    List<YamlNode> items() { return Collections.unmodifiableList(items); }

    /** The child {@code key}, or null when absent or null. */
    YamlNode get(String key) {
        YamlNode child = entries.get(key);
        return child == null || child.isNull() ? null : child;
    }

    /** Where a problem with this node is: {@code gateway.yaml:14: routes[1].upstream}, or {@code LATCH_GATEWAY_PORT}. */
    String where() {
        if (variable != null) {
            return variable;
        }
        return at() + (path.isEmpty() ? "(top level)" : path);
    }

    /** Where a problem with the absent child {@code key} of this mapping is: this mapping's line, the child's key. */
    String whereOf(String key) {
        String child = path.isEmpty() ? key : path + "." + key;
        return variable != null ? variable + ": " + child : at() + child;
    }

    /** {@code gateway.yaml:14: } (file and line with the separator), or "" for values not from the file. */
    String at() {
        if (variable != null) {
            return variable + ": ";
        }
        return source == null ? "" : source + ":" + line + ": ";
    }

    /** Overrides the dotted setting ({@code port}, {@code tls.cert}) of this root mapping with {@code value}. */
    void set(String dotted, YamlNode value) {
        int dot = dotted.indexOf('.');
        if (dot < 0) {
            entries.put(dotted, value);
            return;
        }
        String head = dotted.substring(0, dot);
        YamlNode child = entries.get(head);
        if (child == null || !child.isMapping()) {
            child = new YamlNode(Kind.MAPPING, null, 0, path.isEmpty() ? head : path + "." + head, value.variable, null);
            entries.put(head, child);
        }
        child.set(dotted.substring(dot + 1), value);
    }

    /** A YAML syntax error: one problem with its line. */
    static final class SyntaxException extends Exception {
        SyntaxException(String message) {
            super(message);
        }
    }

    /**
     * Reads {@code content} of the file labelled {@code source}. Duplicate keys, aliases and a second
     * document are added to {@code problems}; the tree is still returned.
     *
     * @throws SyntaxException when the text is not YAML, with the file and line
     */
    static YamlNode parse(String source, String content, List<String> problems) throws SyntaxException {
        try (JsonParser parser = YAML.createParser(content)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return emptyRoot(source);
            }
            YamlNode root = read(parser, token, source, "", 0, problems);
            if (parser.nextToken() != null) {
                problems.add(source + ":" + line(parser) + ": a second YAML document: the configuration is one document");
            }
            return root;
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                // the line of the problem itself, not of the construct it was found in
                String context = marked.getContext() == null || marked.getContextMark() == null ? ""
                        : " (" + oneLine(marked.getContext()) + " on line " + (marked.getContextMark().getLine() + 1) + ")";
                throw new SyntaxException(source + ":" + (marked.getProblemMark().getLine() + 1) + ": not valid YAML: "
                        + oneLine(marked.getProblem()) + context);
            }
            JsonLocation location = e.getLocation();
            int line = location == null ? -1 : location.getLineNr();
            throw new SyntaxException(source + (line > 0 ? ":" + line : "") + ": not valid YAML: " + oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new SyntaxException(source + ": cannot be read: " + oneLine(e.getMessage()));
        }
    }

    private static YamlNode read(JsonParser parser, JsonToken token, String source, String path, int keyLine,
                                 List<String> problems) throws IOException {
        switch (token) {
            case START_OBJECT -> {
                YamlNode node = new YamlNode(Kind.MAPPING, source, keyLine > 0 ? keyLine : line(parser), path, null, null);
                Map<String, Integer> lines = new LinkedHashMap<>();
                while ((token = parser.nextToken()) != JsonToken.END_OBJECT) {
                    String key = parser.currentName();
                    int at = line(parser);
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    YamlNode child = read(parser, parser.nextToken(), source, childPath, at, problems);
                    if (lines.containsKey(key)) {
                        problems.add(source + ":" + at + ": " + childPath + ": given twice (first on line " + lines.get(key) + ")");
                    } else {
                        lines.put(key, at);
                        node.entries.put(key, child);
                    }
                }
                return node;
            }
            case START_ARRAY -> {
                YamlNode node = new YamlNode(Kind.SEQUENCE, source, keyLine > 0 ? keyLine : line(parser), path, null, null);
                int i = 0;
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                    node.items.add(read(parser, token, source, path + "[" + i++ + "]", 0, problems));
                }
                return node;
            }
            default -> {
                int at = line(parser);
                if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                    problems.add(source + ":" + at + ": " + path + ": aliases (*" + parser.getText()
                            + ") are not supported: write the value out");
                }
                String text = token == JsonToken.VALUE_NULL ? null : parser.getText();
                return new YamlNode(Kind.SCALAR, source, at, path, null, text);
            }
        }
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }

    static String oneLine(String message) {
        return message == null ? "unreadable" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
