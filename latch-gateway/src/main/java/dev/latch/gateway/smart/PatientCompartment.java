package dev.latch.gateway.smart;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which resources belong to a patient: the FHIR R4 Patient CompartmentDefinition
 * (http://hl7.org/fhir/R4/compartmentdefinition-patient.html) for the clinical and financial types apps use,
 * as search parameters (to check and confine searches) and the elements they search (to check resources
 * read back). A Patient resource belongs by its own {@code id}.
 *
 * <p>A resource belongs to patient {@code p} when at least one of its compartment elements refers to
 * {@code Patient/p} and <em>none</em> refers to another Patient: an Observation whose subject is another
 * patient does not become ours because we are named as its performer. Types not listed here (Group, Person,
 * Provenance, Practitioner, Medication, …) have no link to a patient that can be checked and are never
 * returned under {@code patient/} scopes.
 */
public final class PatientCompartment {

    /**
     * How one type links to a patient.
     *
     * @param params  search parameter → element path (dotted, arrays crossed) of the reference it searches
     * @param confine the search parameter added to confine a search to the patient
     */
    record Links(Map<String, String> params, String confine) {}

    private static final Map<String, Links> TYPES = new HashMap<>();

    private static void type(String type, String confine, String... paramAndPath) {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        for (String pp : paramAndPath) {
            int eq = pp.indexOf('=');
            params.put(pp.substring(0, eq), pp.substring(eq + 1));
        }
        TYPES.put(type, new Links(Map.copyOf(params), confine));
    }

    static {
        type("Account", "subject", "subject=subject");
        type("AdverseEvent", "subject", "subject=subject");
        type("AllergyIntolerance", "patient", "patient=patient", "recorder=recorder", "asserter=asserter");
        type("Appointment", "patient", "actor=participant.actor", "patient=participant.actor");
        type("AppointmentResponse", "patient", "actor=actor", "patient=actor");
        type("BodyStructure", "patient", "patient=patient");
        type("CarePlan", "patient", "patient=subject", "subject=subject", "performer=activity.detail.performer");
        type("CareTeam", "patient", "patient=subject", "subject=subject", "participant=participant.member");
        type("ChargeItem", "subject", "subject=subject", "patient=subject");
        type("Claim", "patient", "patient=patient", "payee=payee.party");
        type("ClaimResponse", "patient", "patient=patient");
        type("ClinicalImpression", "subject", "subject=subject", "patient=subject");
        type("Communication", "patient", "subject=subject", "patient=subject", "sender=sender", "recipient=recipient");
        type("CommunicationRequest", "patient", "subject=subject", "patient=subject", "sender=sender", "recipient=recipient",
                "requester=requester");
        type("Composition", "patient", "subject=subject", "patient=subject", "author=author", "attester=attester.party");
        type("Condition", "patient", "patient=subject", "subject=subject", "asserter=asserter");
        type("Consent", "patient", "patient=patient");
        type("Coverage", "beneficiary", "beneficiary=beneficiary", "patient=beneficiary", "policy-holder=policyHolder",
                "subscriber=subscriber", "payor=payor");
        type("CoverageEligibilityRequest", "patient", "patient=patient");
        type("CoverageEligibilityResponse", "patient", "patient=patient");
        type("DetectedIssue", "patient", "patient=patient");
        type("DeviceRequest", "patient", "subject=subject", "patient=subject", "performer=performer");
        type("DeviceUseStatement", "patient", "subject=subject", "patient=subject");
        type("DiagnosticReport", "patient", "subject=subject", "patient=subject");
        type("DocumentManifest", "patient", "subject=subject", "patient=subject", "author=author", "recipient=recipient");
        type("DocumentReference", "patient", "subject=subject", "patient=subject", "author=author");
        type("Encounter", "patient", "patient=subject", "subject=subject");
        type("EnrollmentRequest", "patient", "subject=candidate", "patient=candidate");
        type("EpisodeOfCare", "patient", "patient=patient");
        type("ExplanationOfBenefit", "patient", "patient=patient", "payee=payee.party");
        type("FamilyMemberHistory", "patient", "patient=patient");
        type("Flag", "patient", "patient=subject", "subject=subject");
        type("Goal", "patient", "patient=subject", "subject=subject");
        type("ImagingStudy", "patient", "patient=subject", "subject=subject");
        type("Immunization", "patient", "patient=patient");
        type("ImmunizationEvaluation", "patient", "patient=patient");
        type("ImmunizationRecommendation", "patient", "patient=patient");
        type("Invoice", "patient", "subject=subject", "patient=subject", "recipient=recipient");
        type("List", "patient", "subject=subject", "patient=subject", "source=source");
        type("MeasureReport", "patient", "patient=subject", "subject=subject");
        type("Media", "patient", "subject=subject", "patient=subject");
        type("MedicationAdministration", "patient", "patient=subject", "subject=subject", "performer=performer.actor");
        type("MedicationDispense", "patient", "subject=subject", "patient=subject", "receiver=receiver");
        type("MedicationRequest", "patient", "subject=subject", "patient=subject");
        type("MedicationStatement", "patient", "subject=subject", "patient=subject");
        type("MolecularSequence", "patient", "patient=patient");
        type("NutritionOrder", "patient", "patient=patient");
        type("Observation", "patient", "subject=subject", "patient=subject", "performer=performer");
        type("Procedure", "patient", "patient=subject", "subject=subject", "performer=performer.actor");
        type("QuestionnaireResponse", "patient", "subject=subject", "patient=subject", "author=author");
        type("RelatedPerson", "patient", "patient=patient");
        type("RequestGroup", "patient", "subject=subject", "patient=subject", "participant=action.participant");
        type("ResearchSubject", "individual", "individual=individual", "patient=individual");
        type("RiskAssessment", "patient", "subject=subject", "patient=subject");
        type("ServiceRequest", "patient", "subject=subject", "patient=subject", "performer=performer");
        type("Specimen", "patient", "subject=subject", "patient=subject");
        type("SupplyDelivery", "patient", "patient=patient");
        type("VisionPrescription", "patient", "patient=patient");
    }

    private PatientCompartment() {}

    /** True when resources of {@code type} can belong to a patient (Patient itself included). */
    public static boolean hasType(String type) {
        return type.equals("Patient") || TYPES.containsKey(type);
    }

    /** The search parameters of {@code type} that name its patient (empty for Patient and types not in the compartment). */
    public static Set<String> params(String type) {
        Links links = TYPES.get(type);
        return links == null ? Set.of() : links.params().keySet();
    }

    /** The parameter that confines a search of {@code type} to one patient ({@code _id} for Patient), or null. */
    public static String confiningParam(String type) {
        if (type.equals("Patient")) return "_id";
        Links links = TYPES.get(type);
        return links == null ? null : links.confine();
    }

    /**
     * True when {@code resource} (a JSON resource of {@code type}) belongs to patient {@code patient}.
     *
     * @param bases absolute FHIR base URLs (without trailing slash) whose {@code …/Patient/id} references count as
     *              local; an absolute reference to any other server never does
     */
    public static boolean belongs(String type, JsonNode resource, String patient, Set<String> bases) {
        if (type.equals("Patient")) {
            return patient.equals(resource.path("id").asText(null));
        }
        Links links = TYPES.get(type);
        if (links == null) {
            return false;
        }
        boolean ours = false;
        for (String path : new java.util.LinkedHashSet<>(links.params().values())) {
            List<JsonNode> refs = new ArrayList<>();
            collect(resource, path.split("\\."), 0, refs);
            for (JsonNode ref : refs) {
                String target = patientOf(ref.path("reference").asText(null), bases);
                if (target == null) continue;
                if (!target.equals(patient)) return false;
                ours = true;
            }
        }
        return ours;
    }

    private static void collect(JsonNode node, String[] path, int at, List<JsonNode> out) {
        if (node == null || node.isMissingNode() || node.isNull()) return;
        if (node.isArray()) {
            for (JsonNode item : node) collect(item, path, at, out);
            return;
        }
        if (at == path.length) {
            if (node.isObject()) out.add(node);
            return;
        }
        collect(node.get(path[at]), path, at + 1, out);
    }

    /**
     * The patient id a reference names, {@code ""} for a Patient reference that cannot be ours (another server,
     * a malformed id), or null when it names no Patient.
     */
    static String patientOf(String reference, Set<String> bases) {
        if (reference == null) return null;
        String r = reference;
        int history = r.indexOf("/_history/");
        if (history >= 0) r = r.substring(0, history);
        if (r.startsWith("Patient/")) {
            String id = r.substring("Patient/".length());
            return FhirRequest.ID.matcher(id).matches() ? id : "";
        }
        int at = r.lastIndexOf("/Patient/");
        if (at > 0 && (r.startsWith("http://") || r.startsWith("https://") || r.startsWith("urn:"))) {
            String base = r.substring(0, at);
            String id = r.substring(at + "/Patient/".length());
            return bases.contains(base) && FhirRequest.ID.matcher(id).matches() ? id : "";
        }
        return null;
    }
}
