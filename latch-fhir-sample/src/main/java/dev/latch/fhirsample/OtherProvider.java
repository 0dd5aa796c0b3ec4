package dev.latch.fhirsample;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.param.ReferenceAndListParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Any other resource type: all the interactions of {@link MemoryProvider}, but search only by
 * {@code _id}, {@code patient} and {@code subject} (the type's own {@code patient} or {@code subject}
 * element, where it has one: AllergyIntolerance.patient, MedicationRequest.subject, ...).
 */
final class OtherProvider<T extends Resource> extends MemoryProvider<T> {

    private final Map<String, Function<T, List<Reference>>> references = new LinkedHashMap<>();

    OtherProvider(FhirStore store, Class<T> type) {
        super(store, type);
        var definition = store.fhir().getResourceDefinition(type);
        BaseRuntimeChildDefinition subject = definition.getChildByName("subject");
        BaseRuntimeChildDefinition patient = definition.getChildByName("patient");
        if (subject != null) {
            references.put("subject", r -> referencesIn(subject, r));
        }
        BaseRuntimeChildDefinition patientElement = patient != null ? patient : subject;
        if (patientElement != null) {
            references.put("patient", r -> referencesIn(patientElement, r).stream()
                    .filter(ref -> Match.patient(ref).size() == 1).toList());
        }
    }

    private static List<Reference> referencesIn(BaseRuntimeChildDefinition child, Resource resource) {
        return child.getAccessor().getValues(resource).stream()
                .filter(Reference.class::isInstance).map(Reference.class::cast).toList();
    }

    @Override
    Map<String, Function<T, List<Reference>>> references() {
        return references;
    }

    @Search
    public IBundleProvider search(
            @OptionalParam(name = "_id") TokenAndListParam id,
            @OptionalParam(name = "patient") ReferenceAndListParam patient,
            @OptionalParam(name = "subject") ReferenceAndListParam subject,
            @IncludeParam Set<Include> include,
            @IncludeParam(reverse = true) Set<Include> revinclude) {
        if ((patient != null && !references.containsKey("patient")) || (subject != null && !references.containsKey("subject"))) {
            throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(typeName() + " has no such search parameter");
        }
        return search(r -> Match.tokens(id, Match.id(r.getIdElement().getIdPart()))
                && Match.references(patient, references("patient", r))
                && Match.references(subject, references("subject", r)),
                include, revinclude);
    }
}
