package dev.latch.fhirsample;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.StringAndListParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;

/** Patients: {@code $everything}, and search by {@code _id}, {@code name}, {@code family}, {@code given}, {@code identifier}, {@code birthdate}, {@code gender}. */
final class PatientProvider extends MemoryProvider<Patient> {

    PatientProvider(FhirStore store) {
        super(store, Patient.class);
    }

    @Override
    Map<String, Function<Patient, List<Reference>>> references() {
        return Map.of("general-practitioner", Patient::getGeneralPractitioner, "organization", p -> Match.one(p.getManagingOrganization()));
    }

    /**
     * {@code Patient/p1/$everything}: the patient, then every resource of the other types whose
     * {@code patient} parameter points to it (observations, conditions, encounters, ...).
     */
    @Operation(name = "$everything", idempotent = true)
    public IBundleProvider everything(@IdParam IdType id) {
        List<IBaseResource> everything = new ArrayList<>();
        everything.add(read(id.toVersionless()));
        for (MemoryProvider<?> provider : store.providers()) {
            if (provider != this && provider.references().containsKey("patient")) {
                everything.addAll(provider.referencing("patient", Set.of("Patient/" + id.getIdPart())));
            }
        }
        return new SimpleBundleProvider(everything);
    }

    @Search
    public IBundleProvider search(
            @OptionalParam(name = "_id") TokenAndListParam id,
            @OptionalParam(name = "name") StringAndListParam name,
            @OptionalParam(name = "family") StringAndListParam family,
            @OptionalParam(name = "given") StringAndListParam given,
            @OptionalParam(name = "identifier") TokenAndListParam identifier,
            @OptionalParam(name = "birthdate") DateRangeParam birthdate,
            @OptionalParam(name = "gender") TokenAndListParam gender,
            @IncludeParam(allow = {"Patient:general-practitioner", "Patient:organization", "*"}) Set<Include> include,
            @IncludeParam(reverse = true) Set<Include> revinclude) {
        return search(p -> Match.tokens(id, Match.id(p.getIdPart()))
                && Match.strings(name, Match.names(p.getName()))
                && Match.strings(family, Match.families(p.getName()))
                && Match.strings(given, Match.givens(p.getName()))
                && Match.tokens(identifier, Match.identifiers(p.getIdentifier()))
                && Match.dates(birthdate, p.hasBirthDate() ? List.of(p.getBirthDate()) : List.of())
                && Match.tokens(gender, Match.code("http://hl7.org/fhir/administrative-gender", p.hasGender() ? p.getGender().toCode() : null)),
                include, revinclude);
    }
}
