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
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;

/**
 * Observations: search by {@code _id}, {@code patient}, {@code subject}, {@code category}, {@code code},
 * {@code encounter}, {@code date} (effectiveDateTime), {@code status}.
 */
final class ObservationProvider extends MemoryProvider<Observation> {

    ObservationProvider(FhirStore store) {
        super(store, Observation.class);
    }

    @Override
    Map<String, Function<Observation, List<Reference>>> references() {
        return Map.of(
                "patient", o -> Match.patient(o.getSubject()),
                "subject", o -> Match.one(o.getSubject()),
                "encounter", o -> Match.one(o.getEncounter()),
                "performer", Observation::getPerformer);
    }

    @Search
    public IBundleProvider search(
            @OptionalParam(name = "_id") TokenAndListParam id,
            @OptionalParam(name = "patient") ReferenceAndListParam patient,
            @OptionalParam(name = "subject") ReferenceAndListParam subject,
            @OptionalParam(name = "category") TokenAndListParam category,
            @OptionalParam(name = "code") TokenAndListParam code,
            @OptionalParam(name = "encounter") ReferenceAndListParam encounter,
            @OptionalParam(name = "date") DateRangeParam date,
            @OptionalParam(name = "status") TokenAndListParam status,
            @IncludeParam(allow = {"Observation:patient", "Observation:subject", "Observation:encounter", "Observation:performer", "*"})
            Set<Include> include,
            @IncludeParam(reverse = true) Set<Include> revinclude) {
        return search(o -> Match.tokens(id, Match.id(o.getIdPart()))
                && Match.references(patient, references("patient", o))
                && Match.references(subject, references("subject", o))
                && Match.tokens(category, Match.codes(o.getCategory()))
                && Match.tokens(code, Match.codes(o.getCode()))
                && Match.references(encounter, references("encounter", o))
                && Match.dates(date, o.hasEffectiveDateTimeType() ? List.of(o.getEffectiveDateTimeType().getValue()) : List.of())
                && Match.tokens(status, Match.code("http://hl7.org/fhir/observation-status", o.hasStatus() ? o.getStatus().toCode() : null)),
                include, revinclude);
    }
}
