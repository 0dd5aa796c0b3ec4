package dev.latch.server.resource;

import com.nimbusds.jose.JOSEObjectType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The form of a JWT access token for its audience. Both carry the same claims (RFC 9068 §2.2); they
 * differ only in the JOSE header {@code typ}:
 * <ul>
 *   <li>{@link #RFC9068}: {@code at+jwt} (RFC 9068 §2.1), which tells an access token from an ID token
 *       by its type; the default.</li>
 *   <li>{@link #JWT}: {@code JWT}, for verifiers that accept no other type, such as Spring Security's
 *       default ({@code the given typ value needs to be one of [JWT]}).</li>
 * </ul>
 */
public enum TokenProfile {
    RFC9068("rfc9068", new JOSEObjectType("at+jwt")),
    JWT("jwt", JOSEObjectType.JWT);

    private final String configName;
    private final JOSEObjectType type;

    TokenProfile(String configName, JOSEObjectType type) {
        this.configName = configName;
        this.type = type;
    }

    /** The name in configuration and on the command line: {@code rfc9068} or {@code jwt}. */
    public String configName() {
        return configName;
    }

    /** The JOSE header {@code typ} of tokens under this profile. */
    public JOSEObjectType type() {
        return type;
    }

    /** The profile named {@code name} ({@code rfc9068} or {@code jwt}, any case). */
    public static TokenProfile parse(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        for (TokenProfile p : values()) {
            if (p.configName.equals(n)) return p;
        }
        throw new IllegalArgumentException("must be one of " + names() + " (was " + name + ")");
    }

    /** The profile whose header {@code typ} is {@code typ} (any case, RFC 7515 §4.1.9), or null for another or none. */
    public static TokenProfile ofType(JOSEObjectType typ) {
        if (typ == null) return null;
        for (TokenProfile p : values()) {
            if (p.type.getType().equalsIgnoreCase(typ.getType())) return p;
        }
        return null;
    }

    /** {@code rfc9068, jwt}, for messages. */
    public static String names() {
        return Arrays.stream(values()).map(TokenProfile::configName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return configName;
    }
}
