package dev.latch.cli.keys;

import dev.latch.server.keys.SigningKey;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** The line {@code keys rotate} and {@code keys import} print about the key they added. */
final class KeyReport {

    private KeyReport() {}

    static void scheduled(CommandSpec spec, SigningKey key, String what, boolean immediately, boolean quiet) {
        PrintWriter out = spec.commandLine().getOut();
        if (quiet) {
            out.println(key.kid());
        } else {
            boolean now = key.activateAt() <= key.createdAt();
            out.println(what + " " + key.alg().getName() + " key " + key.kid()
                    + (key.publicJwk().getX509CertChain() != null ? " with its certificate" : "") + ": published now, signs "
                    + (now ? "now" : "from " + KeysCommand.time(key.activateAt()))
                    + (immediately ? "; the previous " + key.alg().getName() + " keys were withdrawn" : ""));
        }
        out.flush();
    }
}
