package dev.latch.fhirsample;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.param.ReferenceAndListParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Reference;

/**
 * Conditions: search by {@code _id}, {@code patient}, {@code subject}, {@code category}, {@code code},
 * {@code clinical-status}, {@code encounter}.
 */
final class ConditionProvider extends MemoryProvider<Condition> {

    ConditionProvider(FhirStore store) {
        super(store, Condition.class);
    }

    @Override
    Map<String, Function<Condition, List<Reference>>> references() {
        return Map.of(
                "patient", c -> Match.patient(c.getSubject()),
                "subject", c -> Match.one(c.getSubject()),
                "encounter", c -> Match.one(c.getEncounter()),
                "asserter", c -> Match.one(c.getAsserter()));
    }

    @Search
    public IBundleProvider search(
            @OptionalParam(name = "_id") TokenAndListParam id,
            @OptionalParam(name = "patient") ReferenceAndListParam patient,
            @OptionalParam(name = "subject") ReferenceAndListParam subject,
            @OptionalParam(name = "category") TokenAndListParam category,
            @OptionalParam(name = "code") TokenAndListParam code,
            @OptionalParam(name = "clinical-status") TokenAndListParam clinicalStatus,
            @OptionalParam(name = "encounter") ReferenceAndListParam encounter,
            @IncludeParam(allow = {"Condition:patient", "Condition:subject", "Condition:encounter", "Condition:asserter", "*"})
            Set<Include> include,
            @IncludeParam(reverse = true) Set<Include> revinclude) {
        return search(c -> Match.tokens(id, Match.id(c.getIdPart()))
                && Match.references(patient, references("patient", c))
                && Match.references(subject, references("subject", c))
                && Match.tokens(category, Match.codes(c.getCategory()))
                && Match.tokens(code, Match.codes(c.getCode()))
                && Match.tokens(clinicalStatus, Match.codes(c.getClinicalStatus()))
                && Match.references(encounter, references("encounter", c)),
                include, revinclude);
    }
}
