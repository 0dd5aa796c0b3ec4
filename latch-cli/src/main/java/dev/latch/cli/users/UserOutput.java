package dev.latch.cli.users;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.server.http.Json;
import dev.latch.server.user.User;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How the users commands print a user: JSON with {@code sub}, {@code username}, {@code enabled},
 * {@code has_password}, {@code roles}, {@code claims} (OIDC standard claims) and the times. The
 * password hash is never printed.
 */
final class UserOutput {

    private UserOutput() {}

    static Map<String, Object> fields(User u) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sub", u.subject());
        out.put("username", u.username());
        out.put("enabled", u.enabled());
        out.put("has_password", u.passwordHash() != null);
        out.put("roles", u.roles());
        out.put("claims", u.claims());
        if (u.fhirUser() != null) out.put("fhir_user", u.fhirUser());
        out.put("created_at", u.createdAt());
        out.put("updated_at", u.updatedAt());
        return out;
    }

    static String json(User u) {
        return pretty(fields(u));
    }

    static String json(List<User> users) {
        return pretty(users.stream().map(UserOutput::fields).toList());
    }

    static void println(CommandSpec spec, String line) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(line);
        out.flush();
    }

    private static String pretty(Object value) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
