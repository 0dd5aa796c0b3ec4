package dev.latch.fhirsample;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.param.StringAndListParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;

/** Practitioners: search by {@code _id}, {@code name}, {@code family}, {@code given}, {@code identifier}. */
final class PractitionerProvider extends MemoryProvider<Practitioner> {

    PractitionerProvider(FhirStore store) {
        super(store, Practitioner.class);
    }

    @Override
    Map<String, Function<Practitioner, List<Reference>>> references() {
        return Map.of();
    }

    @Search
    public IBundleProvider search(
            @OptionalParam(name = "_id") TokenAndListParam id,
            @OptionalParam(name = "name") StringAndListParam name,
            @OptionalParam(name = "family") StringAndListParam family,
            @OptionalParam(name = "given") StringAndListParam given,
            @OptionalParam(name = "identifier") TokenAndListParam identifier,
            @IncludeParam(reverse = true) Set<Include> revinclude) {
        return search(p -> Match.tokens(id, Match.id(p.getIdPart()))
                && Match.strings(name, Match.names(p.getName()))
                && Match.strings(family, Match.families(p.getName()))
                && Match.strings(given, Match.givens(p.getName()))
                && Match.tokens(identifier, Match.identifiers(p.getIdentifier())),
                Set.of(), revinclude);
    }
}
