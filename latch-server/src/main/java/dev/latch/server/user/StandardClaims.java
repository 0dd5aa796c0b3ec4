package dev.latch.server.user;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The standard claims of OpenID Connect Core 1.0 §5.1 a user may hold, and the checks on their
 * values. {@code sub} and {@code updated_at} are not among them: Latch generates the subject and keeps
 * the time of the last change itself.
 */
public final class StandardClaims {

    /** Claim names in the order of OIDC Core §5.1, which is also the order they are stored in. */
    public static final List<String> NAMES = List.of("name", "given_name", "family_name", "middle_name", "nickname",
            "preferred_username", "profile", "picture", "website", "email", "email_verified", "gender", "birthdate",
            "zoneinfo", "locale", "phone_number", "phone_number_verified", "address");

    /** Which claims each scope asks for (OIDC Core §5.4). */
    public static final Map<String, List<String>> BY_SCOPE = Map.of(
            "profile", List.of("name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
                    "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"),
            "email", List.of("email", "email_verified"),
            "address", List.of("address"),
            "phone", List.of("phone_number", "phone_number_verified"));

    /** Members of the address claim (OIDC Core §5.1.1). */
    public static final List<String> ADDRESS_MEMBERS = List.of("formatted", "street_address", "locality", "region",
            "postal_code", "country");

    public static final int MAX_LENGTH = 1000;

    /** The WHATWG HTML "valid e-mail address" (§4.10.5.1.5): what browsers accept in an email field. */
    private static final Pattern EMAIL = Pattern.compile("[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
            + "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*");
    /** OIDC Core §5.1 recommends E.164 ({@code +1 (425) 555-1212}); an extension may follow (RFC 3966 {@code ;ext=}). */
    private static final Pattern PHONE = Pattern.compile("\\+?[0-9 ().\\-]{3,40}(;ext=[0-9]{1,10})?");
    /** ISO 8601 YYYY-MM-DD, or YYYY alone; 0000 stands for an omitted year (OIDC Core §5.1). */
    private static final Pattern BIRTHDATE = Pattern.compile("([0-9]{4})(-([0-9]{2})-([0-9]{2}))?");
    /** A BCP 47 language tag; OIDC Core §5.1 notes that some implementations use '_' for '-'. */
    private static final Pattern LOCALE = Pattern.compile("[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*");
    private static final Set<String> BOOLEANS = Set.of("email_verified", "phone_number_verified");
    private static final Set<String> URLS = Set.of("profile", "picture", "website");

    private StandardClaims() {}

    /**
     * The user's standard claims that the granted scopes ask for (OIDC Core §5.4), as userinfo returns
     * them. {@code preferred_username} defaults to the username and {@code updated_at} to the record's
     * last change, as OIDC Core §5.1 describes them.
     */
    public static Map<String, Object> forScopes(User user, java.util.Collection<String> scopes) {
        Map<String, Object> have = new LinkedHashMap<>(user.claims() == null ? Map.of() : user.claims());
        have.putIfAbsent("preferred_username", user.username());
        have.putIfAbsent("updated_at", user.updatedAt());
        Map<String, Object> out = new LinkedHashMap<>();
        for (String scope : List.of("profile", "email", "address", "phone")) {
            if (!scopes.contains(scope)) continue;
            for (String claim : BY_SCOPE.get(scope)) {
                Object v = have.get(claim);
                if (v != null) out.put(claim, v);
            }
        }
        return out;
    }

    /**
     * Checks {@code claims} and returns them in the stored form: known claims only, in §5.1 order,
     * null values dropped, an address given as one string turned into {@code {"formatted": …}}.
     *
     * @throws InvalidUserException naming the first claim at fault
     */
    public static Map<String, Object> check(Map<String, ?> claims) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (claims == null) {
            return out;
        }
        for (String name : claims.keySet()) {
            if (name == null) {
                throw new InvalidUserException("a claim has no name");
            }
            if (name.equals("sub")) {
                throw new InvalidUserException("sub cannot be set: Latch generates the subject, and it never changes");
            }
            if (name.equals("updated_at")) {
                throw new InvalidUserException("updated_at cannot be set: Latch keeps the time of the last change");
            }
            if (!NAMES.contains(name)) {
                throw new InvalidUserException("unknown claim '" + name + "' (OpenID Connect standard claims: "
                        + String.join(", ", NAMES) + ")");
            }
        }
        for (String name : NAMES) {
            Object value = claims.get(name);
            if (value != null) {
                out.put(name, checkValue(name, value));
            }
        }
        return out;
    }

    private static Object checkValue(String name, Object value) {
        if (BOOLEANS.contains(name)) {
            if (!(value instanceof Boolean)) {
                throw new InvalidUserException(name + " must be true or false");
            }
            return value;
        }
        if (name.equals("address")) {
            return address(value);
        }
        String text = text(name, value, false);
        switch (name) {
            case "email" -> {
                if (text.length() > 254 || !EMAIL.matcher(text).matches()) {
                    throw new InvalidUserException("email: " + text + " is not an email address");
                }
            }
            case "phone_number" -> {
                if (!PHONE.matcher(text).matches() || text.chars().filter(Character::isDigit).count() < 3) {
                    throw new InvalidUserException("phone_number: " + text + " is not a telephone number (E.164 recommended, e.g. +1 425 555 1212)");
                }
            }
            case "birthdate" -> checkBirthdate(text);
            case "zoneinfo" -> {
                if (!ZoneId.getAvailableZoneIds().contains(text)) {
                    throw new InvalidUserException("zoneinfo: " + text + " is not a time zone of the zoneinfo database (e.g. Europe/Paris)");
                }
            }
            case "locale" -> {
                if (!LOCALE.matcher(text).matches()) {
                    throw new InvalidUserException("locale: " + text + " is not a BCP 47 language tag (e.g. en-US)");
                }
            }
            default -> {
                if (URLS.contains(name)) {
                    checkUrl(name, text);
                }
            }
        }
        return text;
    }

    private static Map<String, Object> address(Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (value instanceof String s) {
            out.put("formatted", text("address", s, true));
            return out;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new InvalidUserException("address must be a string or a mapping of " + String.join(", ", ADDRESS_MEMBERS));
        }
        for (Object key : map.keySet()) {
            if (!ADDRESS_MEMBERS.contains(String.valueOf(key))) {
                throw new InvalidUserException("address: unknown member '" + key + "' (members: " + String.join(", ", ADDRESS_MEMBERS) + ")");
            }
        }
        for (String member : ADDRESS_MEMBERS) {
            Object v = map.get(member);
            if (v != null) {
                boolean multiLine = member.equals("formatted") || member.equals("street_address");
                out.put(member, text("address." + member, v, multiLine));
            }
        }
        if (out.isEmpty()) {
            throw new InvalidUserException("address is empty");
        }
        return out;
    }

    /** A string value (a YAML number such as a postal code is taken as its text), trimmed, printable. */
    private static String text(String name, Object value, boolean multiLine) {
        String text;
        if (value instanceof String s) {
            text = s.strip();
        } else if (value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger) {
            text = value.toString();
        } else {
            throw new InvalidUserException(name + " must be a string");
        }
        if (text.isEmpty()) {
            throw new InvalidUserException(name + " is empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new InvalidUserException(name + " is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // §5.1.1: formatted and street_address may hold several lines
            if (Character.isISOControl(c) && !(multiLine && (c == '\n' || c == '\r'))) {
                throw new InvalidUserException(name + " contains a control character");
            }
        }
        return text;
    }

    private static void checkBirthdate(String text) {
        var m = BIRTHDATE.matcher(text);
        if (!m.matches()) {
            throw new InvalidUserException("birthdate: " + text + " is not YYYY-MM-DD or YYYY");
        }
        if (m.group(2) != null) {
            int year = Integer.parseInt(m.group(1));
            try {
                // 0000 means the year is not given: check the day against a leap year, so 0000-02-29 passes
                LocalDate.of(year == 0 ? 2000 : year, Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
            } catch (DateTimeException e) {
                throw new InvalidUserException("birthdate: " + text + " is not a date");
            }
        }
    }

    private static void checkUrl(String name, String text) {
        try {
            URI uri = new URI(text);
            if (!uri.isAbsolute() || uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new InvalidUserException(name + ": " + text + " must be an absolute http(s) URL");
            }
        } catch (URISyntaxException e) {
            throw new InvalidUserException(name + ": " + text + " is not a URL");
        }
    }
}
