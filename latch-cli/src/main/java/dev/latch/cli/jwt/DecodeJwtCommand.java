package dev.latch.cli.jwt;

import dev.latch.cli.Main;
import dev.latch.cli.context.CommandContext;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code latch jwt decode TOKEN}: header and claims, readable times, and no claim of validity. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Print a JWT's header and claims, with exp, nbf, iat and auth_time as UTC and relative to now.",
                "The signature is NOT verified (use `latch jwt verify`). An encrypted token (JWE, 5 parts) shows its header only."},
        footer = {"", "Examples:", "  latch jwt decode eyJhbGciOi...", "  pbpaste | latch jwt decode -",
                "", "Exit codes: 0 decoded, 1 the token is malformed, 2 usage error."})
public final class DecodeJwtCommand implements Callable<Integer> {

    static final List<String> TIME_CLAIMS = List.of("exp", "nbf", "iat", "auth_time");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOKEN", description = "The token, or - to read it from standard input.")
    String token;

    @Override
    public Integer call() {
        CompactToken parsed;
        try {
            parsed = CompactToken.parse(CompactToken.read(spec, token));
        } catch (CompactToken.Malformed e) {
            throw new IllegalArgumentException("malformed token: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Header:");
        out.println(JsonText.pretty(parsed.header()));
        if (parsed.encrypted()) {
            out.println("Encrypted (JWE, alg " + parsed.header().get("alg") + ", enc " + parsed.header().get("enc")
                    + "): the claims can only be read with the recipient's private key.");
            out.flush();
            return 0;
        }
        if (parsed.claims() != null) {
            out.println("Claims:");
            out.println(JsonText.pretty(parsed.claims()));
            times(out, parsed.claims(), CommandContext.clock(spec).instant());
        } else {
            out.println("Payload (not a JSON object):");
            out.println(parsed.payload());
        }
        Object alg = parsed.header().get("alg");
        if (alg instanceof String a && "none".equalsIgnoreCase(a)) {
            out.println("Signature: none (alg " + a + "): the token is unsigned; never accept it.");
        } else {
            out.println("Signature: NOT verified (alg " + alg + "); use `latch jwt verify` to check it.");
        }
        out.flush();
        return 0;
    }

    private static void times(PrintWriter out, Map<String, Object> claims, Instant now) {
        boolean header = false;
        for (String name : TIME_CLAIMS) {
            Object value = claims.get(name);
            if (value == null) {
                continue;
            }
            if (!header) {
                out.println("Times:");
                header = true;
            }
            String shown;
            try {
                Instant at = TokenChecker.numericDate(claims, name);
                shown = JsonText.time(at, now) + ("exp".equals(name) && !at.isAfter(now) ? " EXPIRED" : "");
            } catch (IllegalArgumentException e) {
                shown = value + " (not a NumericDate)";
            }
            out.printf("  %-10s %s%n", name, shown);
        }
    }
}
