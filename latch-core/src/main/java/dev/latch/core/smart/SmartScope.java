package dev.latch.core.smart;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A SMART on FHIR clinical-data scope (SMART App Launch 2.2, "Scopes for requesting clinical data"):
 * {@code (patient|user|system)/(Type|*).(permissions)[?param=value&…]}, where the permissions are
 * either SMART v2's ordered subset of {@code cruds} or v1's {@code read}, {@code write} and {@code *},
 * which mean v2's {@code rs}, {@code cud} and {@code cruds}. The authorization server decides with it
 * which requested scopes a client's allowed scopes cover; the FHIR front decides which interactions a
 * granted scope allows. Both read scopes through {@link #parse}, so they cannot disagree.
 *
 * @param text         the scope exactly as written (granted scopes are returned as asked)
 * @param context      whose data: the patient in context, what the user may see, or a backend system's
 * @param resourceType a FHIR resource type, or {@code *} for all
 * @param permissions  bit set of {@link Permission}s
 * @param restrictions {@code ?param=value} pairs, percent-decoded, in the order written (v2 only)
 * @param v1           true when written in the SMART v1 form ({@code .read}, {@code .write}, {@code .*})
 */
public record SmartScope(String text, Context context, String resourceType, int permissions,
                         List<Restriction> restrictions, boolean v1) {

    /** FHIR resource type names: an upper-case letter, then letters (FHIR R4/R5 define no others). */
    private static final Pattern RESOURCE_TYPE = Pattern.compile("[A-Z][A-Za-z]{0,63}");
    private static final Pattern PARAMETER = Pattern.compile("[A-Za-z_][A-Za-z0-9_\\-.:]{0,63}");
    private static final int ALL = 0b11111;

    public SmartScope {
        restrictions = List.copyOf(restrictions);
    }

    /** The three kinds of SMART clinical scope. */
    public enum Context {
        PATIENT("patient"), USER("user"), SYSTEM("system");

        private final String prefix;

        Context(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }
    }

    /** The five SMART v2 permissions, in the order the grammar requires them. */
    public enum Permission {
        CREATE('c'), READ('r'), UPDATE('u'), DELETE('d'), SEARCH('s');

        private final char letter;

        Permission(char letter) {
            this.letter = letter;
        }

        public char letter() {
            return letter;
        }

        int bit() {
            return 1 << ordinal();
        }
    }

    /** One {@code param=value} restriction of a v2 scope, e.g. {@code category=…|laboratory}. */
    public record Restriction(String parameter, String value) {}

    /** True when {@code scope} is written as a clinical scope (starts with {@code patient/}, {@code user/} or {@code system/}). */
    public static boolean isClinical(String scope) {
        for (Context c : Context.values()) {
            if (scope.startsWith(c.prefix + "/")) return true;
        }
        return false;
    }

    /**
     * Reads a clinical scope.
     *
     * @throws IllegalArgumentException naming what is wrong, when {@code scope} is not a well-formed clinical scope
     */
    public static SmartScope parse(String scope) {
        Context context = null;
        for (Context c : Context.values()) {
            if (scope.startsWith(c.prefix + "/")) context = c;
        }
        if (context == null) {
            throw new IllegalArgumentException("not a SMART clinical scope (patient/, user/ or system/): " + scope);
        }
        String rest = scope.substring(context.prefix.length() + 1);
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int dot = rest.lastIndexOf('.');
        if (dot <= 0) {
            throw new IllegalArgumentException("SMART scope needs Type.permissions: " + scope);
        }
        String type = rest.substring(0, dot);
        String letters = rest.substring(dot + 1);
        if (!type.equals("*") && !RESOURCE_TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("not a FHIR resource type in SMART scope: " + scope);
        }
        boolean v1 = letters.equals("read") || letters.equals("write") || letters.equals("*");
        int permissions = v1 ? v1Permissions(letters) : v2Permissions(letters, scope);
        List<Restriction> restrictions = query == null ? List.of() : restrictions(query, scope);
        if (v1 && !restrictions.isEmpty()) {
            throw new IllegalArgumentException("SMART v1 scopes take no ?restrictions (use .rs form): " + scope);
        }
        return new SmartScope(scope, context, type, permissions, restrictions, v1);
    }

    /** True when this scope grants {@code permission} on {@code type} (whatever the restrictions). */
    public boolean allows(String type, Permission permission) {
        return (resourceType.equals("*") || resourceType.equals(type)) && (permissions & permission.bit()) != 0;
    }

    public boolean has(Permission permission) {
        return (permissions & permission.bit()) != 0;
    }

    /**
     * True when a client allowed this scope may be granted {@code asked}: same context, this type or
     * {@code *}, the permissions asked a subset of these, and every restriction of this scope also on the
     * one asked (asking for less data is always fine; asking to drop a restriction is not).
     */
    public boolean covers(SmartScope asked) {
        if (asked.context != context || (!resourceType.equals("*") && !resourceType.equals(asked.resourceType))) {
            return false;
        }
        if ((asked.permissions & ~permissions) != 0) {
            return false;
        }
        return asked.restrictions.containsAll(restrictions);
    }

    /** The v2 permission letters of this scope, e.g. {@code rs} for a v1 {@code .read}. */
    public String permissionLetters() {
        StringBuilder out = new StringBuilder();
        for (Permission p : Permission.values()) {
            if (has(p)) out.append(p.letter);
        }
        return out.toString();
    }

    private static int v1Permissions(String v1) {
        return switch (v1) {
            case "read" -> Permission.READ.bit() | Permission.SEARCH.bit();
            case "write" -> Permission.CREATE.bit() | Permission.UPDATE.bit() | Permission.DELETE.bit();
            default -> ALL;
        };
    }

    private static int v2Permissions(String letters, String scope) {
        if (letters.isEmpty()) {
            throw new IllegalArgumentException("SMART scope without permissions: " + scope);
        }
        int bits = 0;
        int last = -1;
        for (char ch : letters.toCharArray()) {
            int index = "cruds".indexOf(ch);
            if (index < 0) {
                throw new IllegalArgumentException("SMART permissions are c, r, u, d, s (or v1 read, write, *): " + scope);
            }
            if (index <= last) {
                throw new IllegalArgumentException("SMART permissions must appear once each, in the order c r u d s: " + scope);
            }
            last = index;
            bits |= 1 << index;
        }
        return bits & ALL;
    }

    private static List<Restriction> restrictions(String query, String scope) {
        if (query.isEmpty()) {
            throw new IllegalArgumentException("SMART scope with an empty ?restriction: " + scope);
        }
        List<Restriction> out = new ArrayList<>();
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new IllegalArgumentException("SMART scope restriction must be param=value: " + scope);
            }
            String name = decode(pair.substring(0, eq), scope);
            String value = decode(pair.substring(eq + 1), scope);
            if (!PARAMETER.matcher(name).matches()) {
                throw new IllegalArgumentException("not a FHIR search parameter in SMART scope restriction: " + scope);
            }
            out.add(new Restriction(name, value));
        }
        return out;
    }

    private static String decode(String s, String scope) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad percent-encoding in SMART scope restriction: " + scope);
        }
    }

    /** The scope in plain words for a consent page, e.g. "Read and search your lab results". */
    public String describe() {
        List<String> verbs = new ArrayList<>();
        if (has(Permission.READ)) verbs.add("read");
        if (has(Permission.SEARCH)) verbs.add("search");
        if (has(Permission.CREATE)) verbs.add("create");
        if (has(Permission.UPDATE)) verbs.add("update");
        if (has(Permission.DELETE)) verbs.add("delete");
        String verb = String.join(", ", verbs);
        int lastComma = verb.lastIndexOf(", ");
        if (lastComma >= 0) verb = verb.substring(0, lastComma) + " and " + verb.substring(lastComma + 2);
        verb = Character.toUpperCase(verb.charAt(0)) + verb.substring(1);
        String what = what();
        String whose = switch (context) {
            case PATIENT -> "your " + what;
            case USER -> what + " you are allowed to see";
            case SYSTEM -> "all " + what + " on the server (a backend system, no user)";
        };
        return verb + " " + whose;
    }

    private String what() {
        for (Restriction r : restrictions) {
            if (r.parameter().equals("category")) {
                String code = r.value().substring(r.value().lastIndexOf('|') + 1).toLowerCase(Locale.ROOT);
                String named = CATEGORY_WORDS.get(code);
                if (named != null) return named;
            }
        }
        String named = TYPE_WORDS.get(resourceType);
        String base = named != null ? named : resourceType + " records";
        return restrictions.isEmpty() ? base : base + " (only " + restrictionText() + ")";
    }

    private String restrictionText() {
        List<String> parts = new ArrayList<>();
        for (Restriction r : restrictions) parts.add(r.parameter() + " " + r.value());
        return String.join(", ", parts);
    }

    private static final Map<String, String> CATEGORY_WORDS = Map.of(
            "laboratory", "lab results",
            "vital-signs", "vital signs",
            "social-history", "social history",
            "imaging", "imaging results",
            "survey", "survey answers",
            "problem-list-item", "problem list",
            "encounter-diagnosis", "visit diagnoses",
            "health-concern", "health concerns");

    private static final Map<String, String> TYPE_WORDS = Map.ofEntries(
            Map.entry("*", "health records"),
            Map.entry("Patient", "demographics (name, birth date, contact details)"),
            Map.entry("Observation", "observations (lab results, vital signs)"),
            Map.entry("Condition", "conditions (problems and diagnoses)"),
            Map.entry("MedicationRequest", "medication prescriptions"),
            Map.entry("MedicationStatement", "medications"),
            Map.entry("Medication", "medication details"),
            Map.entry("AllergyIntolerance", "allergies"),
            Map.entry("Immunization", "immunizations"),
            Map.entry("Encounter", "visits (encounters)"),
            Map.entry("DiagnosticReport", "test reports"),
            Map.entry("Procedure", "procedures"),
            Map.entry("DocumentReference", "documents"),
            Map.entry("CarePlan", "care plans"),
            Map.entry("Appointment", "appointments"),
            Map.entry("Coverage", "insurance coverage"),
            Map.entry("Practitioner", "clinician details"));
}
