package dev.latch.fhirsample;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceAndListParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Reference;

/**
 * Encounters: search by {@code _id}, {@code patient}, {@code subject}, {@code status}, {@code class},
 * {@code date} (period start), {@code practitioner}.
 */
final class EncounterProvider extends MemoryProvider<Encounter> {

    EncounterProvider(FhirStore store) {
        super(store, Encounter.class);
    }

    @Override
    Map<String, Function<Encounter, List<Reference>>> references() {
        return Map.of(
                "patient", e -> Match.patient(e.getSubject()),
                "subject", e -> Match.one(e.getSubject()),
                "practitioner", e -> e.getParticipant().stream().map(p -> p.getIndividual()).toList(),
                "participant", e -> e.getParticipant().stream().map(p -> p.getIndividual()).toList());
    }

    @Search
    public IBundleProvider search(
            @OptionalParam(name = "_id") TokenAndListParam id,
            @OptionalParam(name = "patient") ReferenceAndListParam patient,
            @OptionalParam(name = "subject") ReferenceAndListParam subject,
            @OptionalParam(name = "status") TokenAndListParam status,
            @OptionalParam(name = "class") TokenAndListParam encounterClass,
            @OptionalParam(name = "date") DateRangeParam date,
            @OptionalParam(name = "practitioner") ReferenceAndListParam practitioner,
            @IncludeParam(allow = {"Encounter:patient", "Encounter:subject", "Encounter:practitioner", "Encounter:participant", "*"})
            Set<Include> include,
            @IncludeParam(reverse = true) Set<Include> revinclude) {
        return search(e -> Match.tokens(id, Match.id(e.getIdPart()))
                && Match.references(patient, references("patient", e))
                && Match.references(subject, references("subject", e))
                && Match.tokens(status, Match.code("http://hl7.org/fhir/encounter-status", e.hasStatus() ? e.getStatus().toCode() : null))
                && Match.tokens(encounterClass, e.hasClass_() ? List.of(Match.token(e.getClass_())) : List.of())
                && Match.dates(date, e.getPeriod().hasStart() ? List.of(e.getPeriod().getStart()) : List.of())
                && Match.references(practitioner, references("practitioner", e)),
                include, revinclude);
    }
}
