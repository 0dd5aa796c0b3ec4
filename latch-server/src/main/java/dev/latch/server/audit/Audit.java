package dev.latch.server.audit;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of the audit log: one JSON object per line on the {@code latch.audit} logger, in
 * one schema (docs/audit.md). An entry is built from an {@link AuditEvent}, its outcome and named
 * fields; nothing else can be put in a line, so no free text reaches the log.
 *
 * <p>Never pass a secret, password, token, assertion, authorization code or cookie to any field:
 * tokens are named by their {@code jti} (refresh tokens by their family id). Values are capped at
 * {@value #MAX_VALUE} characters and JSON-escaped, so input such as a typed username can neither forge
 * a line nor grow one without bound.
 */
public final class Audit {

    static final int MAX_VALUE = 256;
    private static final Logger LOG = LoggerFactory.getLogger("latch.audit");
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    private static final Field[] FIELDS = Field.values();
    /** The last second formatted ({@code epochSecond} and its text): a line per token would otherwise format a date each. */
    private static volatile Object[] lastSecond = {Long.MIN_VALUE, ""};
    private static final String OS_USER = System.getProperty("user.name");

    /** The fields a line may have besides {@code ts}, {@code event} and {@code outcome}, in the order written. */
    enum Field {
        SOURCE("source"), ACTOR("actor"), IP("ip"), CLIENT_ID("client_id"), USER("user"), USERNAME("username"),
        GRANT_TYPE("grant_type"), AUTH_METHOD("auth_method"), SCOPE("scope"), TOKEN_TYPE("token_type"), JTI("jti"), FAMILY("family"),
        ERROR("error"), REASON("reason"), KID("kid"), ALG("alg"), PATIENT("patient"), FILE("file"), COUNT("count");

        final String key;

        Field(String key) {
            this.key = key;
        }
    }

    private Audit() {}

    /** An event that happened as asked. */
    public static Entry success(AuditEvent event) {
        return new Entry(event, "success");
    }

    /** An event that was refused or went wrong; say why with {@link Entry#error} and {@link Entry#reason}. */
    public static Entry failure(AuditEvent event) {
        return new Entry(event, "failure");
    }

    /**
     * One line being built; {@link #write()} writes it. Null values leave their field out. Built by hand
     * into one {@link StringBuilder} (strings that need it escaped by Jackson's encoder): a Jackson generator
     * and a date formatted per line cost microseconds, and the token endpoint writes a line per token.
     */
    public static final class Entry {

        private final AuditEvent event;
        private final String outcome;
        private final String[] values = new String[FIELDS.length];
        private long count = -1;

        private Entry(AuditEvent event, String outcome) {
            this.event = event;
            this.outcome = outcome;
            values[Field.SOURCE.ordinal()] = "server";
        }

        /** Done by a {@code latch} administration command on the database: source {@code cli}, actor the OS user. */
        public Entry cli() {
            values[Field.SOURCE.ordinal()] = "cli";
            return put(Field.ACTOR, OS_USER);
        }

        /** Done by the server on its own from its configuration file at start-up: source {@code config}. */
        public Entry configured() {
            values[Field.SOURCE.ordinal()] = "config";
            return this;
        }

        /** Who did it, when not the client or user of the event: {@code client:ID} or {@code user:SUBJECT}. */
        public Entry actor(String actor) { return put(Field.ACTOR, actor); }
        /** The address the request came from. */
        public Entry ip(String ip) { return put(Field.IP, ip); }
        public Entry client(String clientId) { return put(Field.CLIENT_ID, clientId); }
        /** The user's subject identifier. */
        public Entry user(String subject) { return put(Field.USER, subject); }
        /** A username as typed or stored (sign-ins, user administration). */
        public Entry username(String username) { return put(Field.USERNAME, username); }
        public Entry grantType(String grantType) { return put(Field.GRANT_TYPE, grantType); }
        /** How the client authenticated: {@code client_secret_basic}, {@code private_key_jwt}, {@code none}… */
        public Entry authMethod(String method) { return put(Field.AUTH_METHOD, method); }
        public Entry scope(String scope) { return put(Field.SCOPE, scope == null || scope.isEmpty() ? null : scope); }
        /** What kind of token an event is about: {@code access_token} or {@code refresh_token}. */
        public Entry tokenType(String type) { return put(Field.TOKEN_TYPE, type); }
        /** The {@code jti} of an access token: the only way a token is named here. */
        public Entry jti(String jti) { return put(Field.JTI, jti); }
        /** A refresh-token family's id (not a token: it authenticates nothing). */
        public Entry family(String familyId) { return put(Field.FAMILY, familyId); }
        /** The RFC error code ({@code invalid_grant}, {@code access_denied}…). */
        public Entry error(String code) { return put(Field.ERROR, code); }
        /** Why, in a few words, for people reading the log. */
        public Entry reason(String reason) { return put(Field.REASON, reason); }
        public Entry kid(String kid) { return put(Field.KID, kid); }
        public Entry alg(String alg) { return put(Field.ALG, alg); }
        /** A FHIR Patient id (SMART launches and the patient picker). */
        public Entry patient(String patientId) { return put(Field.PATIENT, patientId); }
        /** The file a command read (config import). */
        public Entry file(String path) { return put(Field.FILE, path); }
        /** How many things the event touched (consents dropped, tokens revoked, clients imported…). */
        public Entry count(long count) {
            this.count = count;
            return this;
        }

        private Entry put(Field field, String value) {
            values[field.ordinal()] = value == null || value.length() <= MAX_VALUE ? value : value.substring(0, MAX_VALUE) + "…";
            return this;
        }

        /** Writes the line, at WARN for {@linkplain AuditEvent#alarm() alarms} and INFO otherwise. */
        public void write() {
            if (event.alarm()) {
                if (LOG.isWarnEnabled()) LOG.warn(json(Instant.now()));
            } else if (LOG.isInfoEnabled()) {
                LOG.info(json(Instant.now()));
            }
        }

        /** The line's JSON (without the line break). */
        String json(Instant ts) {
            StringBuilder out = new StringBuilder(256);
            out.append("{\"ts\":\"").append(second(ts.getEpochSecond())).append('.');
            int millis = ts.getNano() / 1_000_000;
            out.append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10));
            out.append("Z\",\"event\":\"").append(event.eventName()).append("\",\"outcome\":\"").append(outcome).append('"');
            for (Field f : FIELDS) {
                if (f == Field.COUNT) {
                    if (count >= 0) out.append(",\"count\":").append(count);
                } else if (values[f.ordinal()] != null) {
                    out.append(",\"").append(f.key).append("\":\"");
                    appendEscaped(out, values[f.ordinal()]);
                    out.append('"');
                }
            }
            return out.append('}').toString();
        }

        /** Most values need no escaping and are appended as they are; the others go through Jackson's encoder. */
        private static void appendEscaped(StringBuilder out, String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) {
                    JsonStringEncoder.getInstance().quoteAsString(value, out);
                    return;
                }
            }
            out.append(value);
        }

        private static String second(long epochSecond) {
            Object[] last = lastSecond;
            if ((long) last[0] == epochSecond) {
                return (String) last[1];
            }
            String text = SECOND.format(LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC));
            lastSecond = new Object[] {epochSecond, text};
            return text;
        }
    }
}
