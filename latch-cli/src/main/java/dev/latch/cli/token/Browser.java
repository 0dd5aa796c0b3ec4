package dev.latch.cli.token;

import java.awt.Desktop;
import java.io.File;
import java.net.URI;

/**
 * Opens the authorization URL where the person signs in: {@link Desktop} when the platform supports
 * browsing, else {@code xdg-open} (Linux, BSD) or {@code open} (macOS) when on the PATH. Returns false
 * when none is available, so the caller prints the URL instead.
 */
@FunctionalInterface
public interface Browser {

    /** Opens {@code url}; true when a browser was asked to show it. */
    boolean open(URI url);

    /** The system's browser, as described above. */
    static Browser system() {
        return url -> {
            try {
                if (!java.awt.GraphicsEnvironment.isHeadless() && Desktop.isDesktopSupported()
                        && Desktop.getDesktop().isSupported(Desktop.Action.BROWSE)) {
                    Desktop.getDesktop().browse(url);
                    return true;
                }
            } catch (Exception | LinkageError e) {
                // no desktop integration (headless JDK, no display): try the commands below
            }
            // on Linux `open` is openvt, so only macOS gets `open`
            String command = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("mac") ? "open" : "xdg-open";
            {
                if (onPath(command)) {
                    try {
                        new ProcessBuilder(command, url.toString()).redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                        return true;
                    } catch (java.io.IOException e) {
                        return false;
                    }
                }
            }
            return false;
        };
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, command).canExecute()) return true;
        }
        return false;
    }
}
