package dev.latch.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints rows as left-aligned columns separated by two spaces, headed by column names, for people reading a terminal. */
public final class Table {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = List.of(header);
    }

    public Table row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("a row has " + header.size() + " cells");
        }
        List<String> row = new ArrayList<>();
        for (String c : cells) {
            row.add(c == null || c.isEmpty() ? "-" : c);
        }
        rows.add(row);
        return this;
    }

    public void print(PrintWriter out) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> r : rows) {
                widths[i] = Math.max(widths[i], r.get(i).length());
            }
        }
        line(out, header, widths);
        for (List<String> r : rows) {
            line(out, r, widths);
        }
        out.flush();
    }

    private static void line(PrintWriter out, List<String> cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            b.append(cells.get(i));
            if (i < cells.size() - 1) {
                b.append(" ".repeat(widths[i] - cells.get(i).length() + 2));
            }
        }
        out.println(b);
    }
}
