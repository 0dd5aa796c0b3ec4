package dev.latch.fhirsample;

import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceAndListParam;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.StringAndListParam;
import ca.uhn.fhir.rest.param.StringOrListParam;
import ca.uhn.fhir.rest.param.StringParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * How a search parameter matches a resource's values, as in the FHIR search page: every AND part must
 * match, and an AND part matches when one of its OR values matches one of the resource's values. A
 * parameter that was not given ({@code null}) matches everything.
 */
final class Match {

    private Match() {}

    /** A token of a resource: a code or identifier value and its system ({@code null} when it has none). */
    record Token(String system, String code) {}

    /**
     * {@code code}, {@code system|code}, {@code |code} (no system) and {@code system|} (any code of the
     * system); codes compare exactly.
     */
    static boolean tokens(TokenAndListParam param, List<Token> values) {
        if (param == null) {
            return true;
        }
        for (TokenOrListParam or : param.getValuesAsQueryTokens()) {
            boolean any = false;
            for (TokenParam token : or.getValuesAsQueryTokens()) {
                if (token.getModifier() != null) {
                    throw new InvalidRequestException("Token modifier :" + token.getModifier().getValue() + " is not supported");
                }
                any |= values.stream().anyMatch(value -> tokenMatches(token, value));
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static boolean tokenMatches(TokenParam token, Token value) {
        String system = token.getSystem();
        boolean systemOk = system == null
                || (system.isEmpty() ? value.system() == null : system.equals(value.system()));
        boolean codeOk = token.getValue() == null || token.getValue().isEmpty() || token.getValue().equals(value.code());
        return systemOk && codeOk;
    }

    /** Strings: starts with, ignoring case and accents; {@code :exact} and {@code :contains} as in FHIR. */
    static boolean strings(StringAndListParam param, List<String> values) {
        if (param == null) {
            return true;
        }
        for (StringOrListParam or : param.getValuesAsQueryTokens()) {
            boolean any = false;
            for (StringParam string : or.getValuesAsQueryTokens()) {
                any |= values.stream().filter(v -> v != null).anyMatch(value -> stringMatches(string, value));
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static boolean stringMatches(StringParam param, String value) {
        if (param.isExact()) {
            return value.equals(param.getValue());
        }
        String wanted = normalized(param.getValue());
        return param.isContains() ? normalized(value).contains(wanted) : normalized(value).startsWith(wanted);
    }

    private static String normalized(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
    }

    /**
     * References: {@code Patient/p1}, {@code p1} (any type) or an absolute URL of this server's resource;
     * the {@code :Patient} type modifier works, chains ({@code subject.name=...}) do not.
     */
    static boolean references(ReferenceAndListParam param, List<Reference> values) {
        if (param == null) {
            return true;
        }
        for (ReferenceOrListParam or : param.getValuesAsQueryTokens()) {
            boolean any = false;
            for (ReferenceParam ref : or.getValuesAsQueryTokens()) {
                if (ref.getChain() != null && !ref.getChain().isEmpty()) {
                    throw new InvalidRequestException("Chained search (" + ref.getChain() + ") is not supported");
                }
                any |= values.stream().anyMatch(value -> referenceMatches(ref, value));
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static boolean referenceMatches(ReferenceParam param, Reference value) {
        var id = value.getReferenceElement();
        return param.getIdPart() != null && param.getIdPart().equals(id.getIdPart())
                && (param.getResourceType() == null || param.getResourceType().equals(id.getResourceType()));
    }

    /** Dates: the value's start instant within the range ({@code ge}, {@code le}, {@code eq} of the date given). */
    static boolean dates(DateRangeParam param, List<Date> values) {
        if (param == null) {
            return true;
        }
        Date lower = param.getLowerBoundAsInstant();
        Date upper = param.getUpperBoundAsInstant();
        return values.stream().filter(v -> v != null)
                .anyMatch(v -> (lower == null || !v.before(lower)) && (upper == null || !v.after(upper)));
    }

    // ---- the values of the usual FHIR types ----------------------------------------------------

    static List<Token> codes(List<CodeableConcept> concepts) {
        List<Token> tokens = new ArrayList<>();
        concepts.forEach(concept -> concept.getCoding().forEach(coding -> tokens.add(token(coding))));
        return tokens;
    }

    static List<Token> codes(CodeableConcept concept) {
        return codes(List.of(concept));
    }

    static Token token(Coding coding) {
        return new Token(coding.getSystem(), coding.getCode());
    }

    static List<Token> identifiers(List<Identifier> identifiers) {
        return identifiers.stream().map(i -> new Token(i.getSystem(), i.getValue())).toList();
    }

    /** A code without a system of its own, such as a status: matched by {@code code} or {@code system|code}. */
    static List<Token> code(String system, String code) {
        return code == null ? List.of() : List.of(new Token(system, code));
    }

    static List<Token> id(String id) {
        return List.of(new Token(null, id));
    }

    /** Every part of the names: the {@code name} parameter. */
    static List<String> names(List<HumanName> names) {
        List<String> parts = new ArrayList<>();
        for (HumanName name : names) {
            parts.add(name.getText());
            parts.add(name.getFamily());
            name.getGiven().forEach(g -> parts.add(g.getValue()));
            name.getPrefix().forEach(p -> parts.add(p.getValue()));
            name.getSuffix().forEach(s -> parts.add(s.getValue()));
        }
        return parts;
    }

    static List<String> families(List<HumanName> names) {
        return names.stream().map(HumanName::getFamily).toList();
    }

    static List<String> givens(List<HumanName> names) {
        return names.stream().flatMap(n -> n.getGiven().stream()).map(g -> g.getValue()).toList();
    }

    /** A single reference, when there is one. */
    static List<Reference> one(Reference reference) {
        return reference == null || !reference.hasReference() ? List.of() : List.of(reference);
    }

    /** The reference when it points to a Patient (or does not say to what): the {@code patient} parameter. */
    static List<Reference> patient(Reference subject) {
        return one(subject).stream()
                .filter(r -> !r.getReferenceElement().hasResourceType() || "Patient".equals(r.getReferenceElement().getResourceType()))
                .toList();
    }
}
