package dev.latch.gateway.smart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latch.core.smart.SmartScope;
import dev.latch.core.smart.SmartScope.Context;
import dev.latch.core.smart.SmartScope.Permission;
import dev.latch.gateway.smart.FhirRequest.Interaction;
import dev.latch.gateway.smart.FhirRequest.Param;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * SMART App Launch 2.2 scopes enforced on FHIR R4 REST interactions — the decision {@code mode: smart} makes
 * for every request, with no HTTP in it, so any FHIR front (the gateway, a test against a real HAPI FHIR
 * server) can drive it:
 *
 * <pre>{@code
 * SmartPolicy policy = new SmartPolicy(Set.of("http://localhost:8000/fhir"));
 * SmartGrant grant = SmartGrant.of(principal.scopes(), principal.claims());
 * SmartPolicy.Decision d = policy.decide(FhirRequest.parse("GET", "Observation", "code=1234-5", null, null, null), grant);
 * if (!d.allowed()) … d.status(), d.message()
 * // forward with d.confinement() added to the query; when d.checkResponse(): policy.checkResponse(grant, json, d)
 * }</pre>
 *
 * <p>Interaction → permission: read, vread, instance history → {@code r}; search (GET, POST {@code _search},
 * compartment search), type history → {@code s}; create → {@code c} (conditional create also {@code s});
 * update, patch → {@code u}; delete → {@code d} (conditional forms also {@code s}); system-level search and
 * history → {@code s} on {@code *} from an unrestricted {@code user/} or {@code system/} scope; batch and
 * transaction → each entry by the same rules, all or nothing. {@code _include} needs {@code r} on the
 * included type, {@code _revinclude} {@code s} on the including type.
 *
 * <p>{@code patient/} scopes confine to the compartment of the {@code patient} claim: {@code Patient/{id}} only
 * for that id; a search naming another patient is refused; one naming none is confined by adding the type's
 * patient parameter ({@link #decide} returns it in {@link Decision#confinement()}); chained parameters and
 * {@code _has} are refused; every resource read back must belong to the patient ({@link #checkResponse}).
 * Scope restrictions ({@code ?category=…}) are added to searches and checked on every resource read back.
 * Writes under {@code patient/} scopes are confined too: a created or updated resource must belong to the
 * patient; an update or delete of another type is decided on the stored resource ({@link Decision#checkStored()}:
 * the caller reads it, checks it with {@link #checkStored}, and pins the write to its version); a patch only of
 * the patient's own Patient resource (what a patch will make of a resource cannot be told beforehand).
 */
public final class SmartPolicy {

    private static final Set<Permission> READS = EnumSet.of(Permission.READ, Permission.SEARCH);
    private static final Set<Permission> WRITES = EnumSet.of(Permission.READ, Permission.SEARCH, Permission.CREATE, Permission.UPDATE);
    private static final Set<String> TERMINOLOGY = Set.of("$expand", "$lookup", "$validate-code", "$subsumes", "$translate");
    private static final Set<String> JSON_FORMATS = Set.of("json", "application/json", "application/fhir+json");
    /** Search parameters whose meaning cannot be confined to one patient's compartment. */
    private static final Set<String> UNCONFINABLE = Set.of("_query", "_filter", "_contained", "_containedType", "_list");

    private final Set<String> bases;

    /**
     * @param bases the absolute FHIR base URLs (no trailing slash) under which {@code …/Patient/id} references are
     *              local: the base apps use ({@code aud}) and the upstream's
     */
    public SmartPolicy(Set<String> bases) {
        this.bases = Set.copyOf(bases);
    }

    /**
     * The decision for one request.
     *
     * @param status          0 when allowed; else 400, 403, 404, 405 or 406
     * @param issue           the FHIR {@code OperationOutcome.issue.code} of a refusal ({@code forbidden}, {@code invalid}, …)
     * @param message         why it is refused, for people; null when allowed
     * @param requiredScope   for a 403 for want of a scope: one scope that would do; else null
     * @param confinement     parameters to add to the query before it goes upstream (patient, restrictions)
     * @param checkResponse   true when the response must be read and checked with {@link #checkResponse}
     * @param write           true for create/update/patch/batch: the response may show what was written
     * @param checkStored     true for an update or delete limited to a patient or a restriction: the stored resource must be
     *                        read first and pass {@link #checkStored}, and the write pinned to the version read ({@code If-Match})
     */
    public record Decision(int status, String issue, String message, String requiredScope, List<Param> confinement,
                           boolean checkResponse, boolean write, boolean checkStored) {
        public Decision {
            confinement = List.copyOf(confinement);
        }

        public boolean allowed() {
            return status == 0;
        }

        static Decision refused(int status, String issue, String message, String requiredScope) {
            return new Decision(status, issue, message, requiredScope, List.of(), false, false, false);
        }
    }

    /** A refusal on the way to a decision. */
    private static final class Refused extends RuntimeException {
        final Decision decision;

        Refused(Decision decision) {
            super(decision.message(), null, false, false);
            this.decision = decision;
        }
    }

    /** What a decision gathers: whether the response is checked, what is added to the query. */
    private static final class Work {
        boolean check;
        boolean write;
        boolean checkStored;
        final List<Param> confinement = new ArrayList<>(2);
    }

    /** Decides {@code request} for {@code grant}. Never throws for a request: a refusal is a {@link Decision}. */
    public Decision decide(FhirRequest request, SmartGrant grant) {
        try {
            Work work = new Work();
            decide(request, grant, work, false);
            if (work.check) {
                for (String format : request.values("_format")) {
                    if (!JSON_FORMATS.contains(format.toLowerCase(Locale.ROOT).split(";")[0].strip())) {
                        throw new Refused(Decision.refused(406, "not-supported",
                                "only JSON can be checked for this token: ask for _format=json", null));
                    }
                }
            }
            return new Decision(0, null, null, null, work.confinement, work.check, work.write, work.checkStored);
        } catch (Refused r) {
            return r.decision;
        } catch (FhirRequest.Invalid e) {
            // a conditional create's If-None-Exist, read while deciding
            return Decision.refused(e.status(), "invalid", e.getMessage(), null);
        }
    }

    private void decide(FhirRequest r, SmartGrant g, Work w, boolean inBatch) {
        String type = r.type();
        switch (r.interaction()) {
            case CAPABILITIES -> { }
            case READ, VREAD, HISTORY_INSTANCE -> {
                need(g, w, type, Permission.READ);
                ownPatientOnly(g, type, r.id(), Permission.READ);
                compartmentType(g, type, Permission.READ);
            }
            case SEARCH_TYPE -> search(r, g, w, type, true, inBatch);
            case SEARCH_COMPARTMENT -> {
                String searched = r.compartmentType();
                need(g, w, searched, Permission.SEARCH);
                if (g.patientOnly(searched, Permission.SEARCH)) {
                    if (!type.equals("Patient")) {
                        throw forbidden("under patient/ scopes only the patient's own compartment (Patient/" + g.patient()
                                + "/" + searched + ") can be searched", null);
                    }
                    if (!type.equals("Patient") || !r.id().equals(g.patient())) {
                        throw otherPatient();
                    }
                }
                search(r, g, w, searched, false, inBatch);
            }
            case HISTORY_TYPE -> {
                need(g, w, type, Permission.SEARCH);
                requireOpen(g, type, Permission.SEARCH, "the history of every " + type);
            }
            case HISTORY_SYSTEM, SEARCH_SYSTEM -> {
                need(g, w, "*", Permission.SEARCH);
                requireOpen(g, "*", Permission.SEARCH, "a system-wide search or history");
                includes(r, g, w);
            }
            case PAGE -> {
                if (g.scopes().stream().noneMatch(s -> s.has(Permission.SEARCH))) {
                    throw forbidden("the token grants no search, so it has no result pages", null);
                }
                if (!g.open("*", Permission.SEARCH)) w.check = true;
            }
            case CREATE -> {
                need(g, w, type, Permission.CREATE);
                w.write = true;
                if (r.ifNoneExist() != null) {
                    List<Param> condition = new ArrayList<>();
                    FhirRequest.addParams(condition, r.ifNoneExist().startsWith("?") ? r.ifNoneExist().substring(1)
                            : r.ifNoneExist().contains("?") ? r.ifNoneExist().substring(r.ifNoneExist().indexOf('?') + 1) : r.ifNoneExist());
                    FhirRequest search = new FhirRequest(Interaction.SEARCH_TYPE, type, null, null, null, condition, null, null);
                    search(search, g, w, type, true, true);
                }
                written(r, g, type, null, Permission.CREATE);
            }
            case UPDATE, PATCH, DELETE -> {
                Permission p = r.interaction() == Interaction.DELETE ? Permission.DELETE : Permission.UPDATE;
                need(g, w, type, p);
                w.write = r.interaction() != Interaction.DELETE;
                if (!g.open(type, p)) {
                    if (type.equals("Patient") && g.patientOnly(type, p)) {
                        if (!r.id().equals(g.patient())) throw otherPatient();
                        if (r.interaction() == Interaction.UPDATE) written(r, g, type, r.id(), p);
                    } else if (r.interaction() == Interaction.PATCH) {
                        throw forbidden("a patch under patient/ or restricted scopes is refused: the gateway cannot tell what the patched "
                                + type + " will hold; send the whole resource (PUT)", null);
                    } else {
                        compartmentType(g, type, p);
                        if (r.interaction() == Interaction.UPDATE) written(r, g, type, r.id(), p);
                        if (inBatch) {
                            throw forbidden("an " + words(p) + " of " + type + " under patient/ or restricted scopes is checked against the"
                                    + " stored resource, which cannot be done inside a batch; send it on its own", null);
                        }
                        w.checkStored = true;
                    }
                }
            }
            case CONDITIONAL_UPDATE, CONDITIONAL_PATCH, CONDITIONAL_DELETE -> {
                Permission p = r.interaction() == Interaction.CONDITIONAL_DELETE ? Permission.DELETE : Permission.UPDATE;
                need(g, w, type, p);
                need(g, w, type, Permission.SEARCH);
                requireOpen(g, type, p, "a conditional " + words(p));
                requireOpen(g, type, Permission.SEARCH, "a conditional " + words(p));
                w.write = true;
            }
            case BATCH -> {
                if (inBatch) throw forbidden("a batch or transaction inside a batch is not allowed", null);
                batch(r, g, w);
            }
            case OPERATION_SYSTEM, OPERATION_TYPE, OPERATION_INSTANCE -> operation(r, g, w, inBatch);
        }
    }

    // ------------------------------------------------------------------ searches

    private void search(FhirRequest r, SmartGrant g, Work w, String type, boolean confine, boolean inBatch) {
        need(g, w, type, Permission.SEARCH);
        boolean patientOnly = g.patientOnly(type, Permission.SEARCH);
        for (Param p : r.params()) {
            if (p.chained()) {
                if (patientOnly) {
                    throw forbidden("chained parameters (" + FhirRequest.shorten(p.name()) + ") cannot be confined to the patient", null);
                }
                chain(p, g, w);
            }
            if (patientOnly && UNCONFINABLE.contains(p.base())) {
                throw forbidden(p.base() + " cannot be confined to the patient", null);
            }
        }
        includes(r, g, w);
        if (!g.open(type, Permission.SEARCH)) {
            boolean ours = patientOnly && patientParams(type, r.params(), g.patient());
            if (patientOnly && !PatientCompartment.hasType(type)) {
                throw forbidden(type + " is not in a patient's compartment, so patient/ scopes do not reach it", null);
            }
            if (patientOnly && !ours && confine) {
                if (inBatch) {
                    throw forbidden("a search in a batch must name the patient (" + PatientCompartment.confiningParam(type) + "="
                            + patientReference(type, g.patient()) + ")", null);
                }
                w.confinement.add(new Param(PatientCompartment.confiningParam(type), patientReference(type, g.patient())));
            }
            restrictions(g, w, type, inBatch);
        }
    }

    /** The value that names the patient in {@code type}'s confining parameter. */
    private static String patientReference(String type, String patient) {
        return type.equals("Patient") ? patient : "Patient/" + patient;
    }

    /**
     * Checks the parameters of a patient-confined search that name a patient; true when one of them already
     * confines it to our patient. Another patient, or a form that cannot be told apart, is refused.
     */
    private boolean patientParams(String type, List<Param> params, String patient) {
        boolean ours = false;
        Set<String> linking = PatientCompartment.params(type);
        for (Param p : params) {
            String base = p.base();
            if (type.equals("Patient") && base.equals("_id")) {
                if (p.modifier() != null) throw forbidden("_id with a modifier cannot be checked", null);
                for (String v : p.value().split(",", -1)) {
                    if (!v.equals(patient)) throw otherPatient();
                }
                ours = true;
                continue;
            }
            if (!linking.contains(base) && !base.equals("patient") && !base.equals("subject")) continue;
            String modifier = p.modifier();
            if (modifier != null && !FhirRequest.RESOURCE_TYPE.matcher(modifier).matches()) {
                throw forbidden("the modifier :" + FhirRequest.shorten(modifier) + " on " + base + " cannot be confined to the patient", null);
            }
            boolean all = true;
            for (String v : p.value().split(",", -1)) {
                if (modifier != null && !modifier.equals("Patient")) {
                    if (v.indexOf('/') >= 0) throw forbidden("the value of " + base + ":" + modifier + " is not an id", null);
                    all = false;
                    continue;
                }
                String id = v;
                if (v.startsWith("Patient/")) {
                    id = v.substring("Patient/".length());
                } else if (v.startsWith("http://") || v.startsWith("https://") || v.startsWith("urn:")) {
                    id = PatientCompartment.patientOf(v, bases);
                    if (id == null) {
                        all = false;
                        continue;
                    }
                } else if (v.indexOf('/') > 0 && modifier == null && FhirRequest.RESOURCE_TYPE.matcher(v.substring(0, v.indexOf('/'))).matches()) {
                    all = false; // another type (Practitioner/1): not a patient, the search is confined as well
                    continue;
                }
                if (!id.equals(patient)) throw otherPatient();
            }
            if (all) ours = true;
        }
        return ours;
    }

    private void chain(Param p, SmartGrant g, Work w) {
        String name = p.name();
        if (name.startsWith("_has:")) {
            String[] parts = name.split(":");
            if (parts.length < 4 || !FhirRequest.RESOURCE_TYPE.matcher(parts[1]).matches()) {
                throw invalid("_has must be _has:Type:reference:parameter");
            }
            need(g, w, parts[1], Permission.SEARCH);
            requireOpen(g, parts[1], Permission.SEARCH, "_has on " + parts[1]);
            return;
        }
        String modifier = p.modifier();
        String target = modifier != null && FhirRequest.RESOURCE_TYPE.matcher(modifier).matches() ? modifier
                : p.base().equals("patient") ? "Patient" : "*";
        need(g, w, target, Permission.SEARCH);
        requireOpen(g, target, Permission.SEARCH, "a chained search through " + target);
    }

    /** {@code _include} needs {@code r} on the type included, {@code _revinclude} {@code s} on the type that refers. */
    private void includes(FhirRequest r, SmartGrant g, Work w) {
        for (Param p : r.params()) {
            String base = p.base();
            boolean include = base.equals("_include");
            if (!include && !base.equals("_revinclude")) continue;
            String[] parts = p.value().split(":");
            String target;
            if (p.value().equals("*")) {
                target = "*";
            } else if (parts.length < 2 || parts.length > 3 || !FhirRequest.RESOURCE_TYPE.matcher(parts[0]).matches()
                    || (parts.length == 3 && !FhirRequest.RESOURCE_TYPE.matcher(parts[2]).matches())) {
                throw invalid(base + " must be Type:parameter or Type:parameter:TargetType");
            } else if (include) {
                target = parts.length == 3 ? parts[2] : parts[1].equals("patient") ? "Patient" : "*";
            } else {
                target = parts[0];
            }
            need(g, w, target, include ? Permission.READ : Permission.SEARCH);
        }
    }

    /** Adds a restricted scope's parameters to a search; refuses when the union of several cannot be written as one query. */
    private void restrictions(SmartGrant g, Work w, String type, boolean inBatch) {
        List<SmartScope> granting = g.granting(type, Permission.SEARCH);
        boolean patientOnly = g.patientOnly(type, Permission.SEARCH);
        List<SmartScope> relevant = new ArrayList<>();
        for (SmartScope s : granting) {
            if (patientOnly || s.context() != Context.PATIENT) relevant.add(s);
        }
        if (relevant.isEmpty() || relevant.stream().anyMatch(s -> s.restrictions().isEmpty())) {
            return;
        }
        List<Param> added = new ArrayList<>();
        if (relevant.size() == 1) {
            for (SmartScope.Restriction x : relevant.getFirst().restrictions()) added.add(new Param(x.parameter(), x.value()));
        } else {
            String parameter = relevant.getFirst().restrictions().getFirst().parameter();
            Set<String> values = new LinkedHashSet<>();
            for (SmartScope s : relevant) {
                if (s.restrictions().size() != 1 || !s.restrictions().getFirst().parameter().equals(parameter)) {
                    throw forbidden("the token's scopes for " + type + " carry restrictions that cannot be joined into one search;"
                            + " search with one scope's parameters", null);
                }
                values.add(s.restrictions().getFirst().value());
            }
            added.add(new Param(parameter, String.join(",", values)));
        }
        if (inBatch) {
            throw forbidden("a search in a batch cannot be confined to the scope's restrictions (" + added.getFirst().name()
                    + "=" + added.getFirst().value() + "); send it on its own", null);
        }
        w.confinement.addAll(added);
    }

    // ------------------------------------------------------------------ writes, batches, operations

    /**
     * The body of a create or update confined by the token: a JSON resource of the path's type that the token may
     * hold (its patient's, within its restrictions).
     */
    private void written(FhirRequest r, SmartGrant g, String type, String id, Permission p) {
        if (g.open(type, p)) return; // the FHIR server checks the body; the gateway has nothing to confine
        JsonNode resource = r.resource();
        if (resource == null || !resource.isObject() || !type.equals(resource.path("resourceType").asText(null))) {
            throw invalid("the body must be a JSON " + type + " resource");
        }
        if (id != null && !id.equals(resource.path("id").asText(null))) {
            throw invalid("the resource's id must be the id in the URL (" + id + ")");
        }
        if (g.patientOnly(type, p) && type.equals("Patient") && id == null) {
            throw forbidden("a patient/ scope cannot create another Patient", null);
        }
        if (!acceptable(g, type, resource, EnumSet.of(p))) {
            throw forbidden("the " + type + " written does not belong to the patient in context or is outside the scope's restrictions", null);
        }
    }

    private void batch(FhirRequest r, SmartGrant g, Work w) {
        JsonNode bundle = r.resource();
        if (bundle == null || !"Bundle".equals(bundle.path("resourceType").asText(null))) {
            throw invalid("a POST to the FHIR base must be a batch or transaction Bundle");
        }
        String kind = bundle.path("type").asText("");
        if (!kind.equals("batch") && !kind.equals("transaction")) {
            throw invalid("the Bundle must be of type batch or transaction");
        }
        int index = 0;
        for (JsonNode entry : bundle.path("entry")) {
            JsonNode request = entry.path("request");
            String method = request.path("method").asText("");
            String url = request.path("url").asText("");
            String label = "entry " + index + " (" + method + " " + FhirRequest.shorten(url) + "): ";
            if (!Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method) || url.isEmpty() || url.startsWith("/")
                    || url.contains("://") || url.startsWith("..")) {
                throw invalid(label + "needs request.method and a relative request.url");
            }
            int q = url.indexOf('?');
            String path = q < 0 ? url : url.substring(0, q);
            if (path.contains("/../") || path.endsWith("/..") || path.contains("/./") || path.equals("..") || path.equals(".")) {
                throw invalid(label + "dot segments are not allowed");
            }
            FhirRequest one;
            try {
                JsonNode ifNoneExist = request.get("ifNoneExist");
                one = FhirRequest.parse(method, path, q < 0 ? null : url.substring(q + 1), null, entry.get("resource"),
                        ifNoneExist == null ? null : ifNoneExist.asText());
            } catch (FhirRequest.Invalid e) {
                throw invalid(label + e.getMessage());
            }
            try {
                decide(one, g, w, true);
            } catch (FhirRequest.Invalid e) {
                throw invalid(label + e.getMessage());
            } catch (Refused refused) {
                Decision d = refused.decision;
                throw new Refused(Decision.refused(d.status(), d.issue(), label + d.message(), d.requiredScope()));
            }
            index++;
        }
        w.write = true;
    }

    private void operation(FhirRequest r, SmartGrant g, Work w, boolean inBatch) {
        String op = r.operation();
        String type = r.type();
        if (op.equals("$everything") && "Patient".equals(type) && r.interaction() != Interaction.OPERATION_SYSTEM) {
            need(g, w, "Patient", Permission.READ);
            need(g, w, "*", Permission.SEARCH);
            if (r.interaction() == Interaction.OPERATION_TYPE) {
                requireOpen(g, "Patient", Permission.READ, "$everything on every patient");
                requireOpen(g, "*", Permission.SEARCH, "$everything on every patient");
            } else {
                ownPatientOnly(g, "Patient", r.id(), Permission.READ);
                if (g.patientOnly("*", Permission.SEARCH) && !r.id().equals(g.patient())) throw otherPatient();
            }
            return;
        }
        if (op.equals("$meta") && r.interaction() == Interaction.OPERATION_INSTANCE) {
            need(g, w, type, Permission.READ);
            ownPatientOnly(g, type, r.id(), Permission.READ);
            compartmentType(g, type, Permission.READ);
            return;
        }
        if (op.equals("$lastn") && "Observation".equals(type) && r.interaction() == Interaction.OPERATION_TYPE) {
            search(r, g, w, type, true, inBatch);
            return;
        }
        if (TERMINOLOGY.contains(op) && type != null) {
            need(g, w, type, Permission.READ);
            if (r.id() != null) ownPatientOnly(g, type, r.id(), Permission.READ);
            return;
        }
        // an operation the gateway does not know may read or change anything: only an unrestricted */ scope with every permission
        for (Permission p : Permission.values()) {
            if (!g.open("*", p)) {
                throw new Refused(Decision.refused(403, "forbidden", "the operation " + FhirRequest.shorten(op)
                        + " is allowed only with an unrestricted user/*.cruds or system/*.cruds scope", "user/*.cruds"));
            }
        }
        w.write = true;
    }

    // ------------------------------------------------------------------ scope checks

    private static void need(SmartGrant g, Work w, String type, Permission p) {
        if (g.granting(type, p).isEmpty()) {
            String scope = (g.patient() != null ? "patient/" : "user/") + type + "." + p.letter();
            StringBuilder why = new StringBuilder("the token grants no scope to " + words(p) + " " + (type.equals("*") ? "every type" : type));
            if (g.withoutPatient()) why.append(" (its patient/ scopes grant nothing: the token names no patient in context)");
            if (!g.unenforceable().isEmpty()) {
                why.append(" (scopes with restrictions the gateway cannot enforce grant nothing: ")
                        .append(String.join(" ", g.unenforceable())).append(")");
            }
            throw new Refused(Decision.refused(403, "forbidden", why.toString(), scope));
        }
        if (!g.open(type, p)) w.check = true;
    }

    private static void requireOpen(SmartGrant g, String type, Permission p, String what) {
        if (!g.open(type, p)) {
            throw forbidden(what + " cannot be confined to a patient or to a scope's restrictions: it needs an unrestricted user/ or"
                    + " system/ scope", null);
        }
    }

    /** Under patient/ scopes alone, a Patient instance is only the patient in context. */
    private static void ownPatientOnly(SmartGrant g, String type, String id, Permission p) {
        if (type.equals("Patient") && g.patientOnly("Patient", p) && !id.equals(g.patient())) {
            throw otherPatient();
        }
    }

    /** Under patient/ scopes alone, a type outside the compartment is never returned: refused before asking. */
    private static void compartmentType(SmartGrant g, String type, Permission p) {
        if (g.patientOnly(type, p) && !PatientCompartment.hasType(type)) {
            throw forbidden(type + " is not in a patient's compartment, so patient/ scopes do not reach it", null);
        }
    }

    private static Refused otherPatient() {
        return forbidden("the request reaches beyond the patient in context", null);
    }

    private static Refused forbidden(String message, String scope) {
        return new Refused(Decision.refused(403, "forbidden", message, scope));
    }

    private static Refused invalid(String message) {
        return new Refused(Decision.refused(400, "invalid", message, null));
    }

    private static String words(Permission p) {
        return switch (p) {
            case CREATE -> "create";
            case READ -> "read";
            case UPDATE -> "update";
            case DELETE -> "delete";
            case SEARCH -> "search";
        };
    }

    // ------------------------------------------------------------------ responses

    /**
     * Checks a response body that {@code decision} asked to check: every resource in it (a Bundle's entries, a
     * batch response's nested searchsets, resources {@code contained} in them) must be one the grant allows —
     * of a type a scope grants, in the patient's compartment for {@code patient/} scopes, matching the scope's
     * restrictions. OperationOutcomes pass.
     *
     * @return null when the response may go to the client; else what is wrong with it (for the refusal)
     */
    public String checkResponse(SmartGrant grant, JsonNode body, Decision decision) {
        Set<Permission> permissions = decision.write() ? WRITES : READS;
        if (body == null || !body.isObject()) {
            return "the response is not a FHIR resource";
        }
        if ("Bundle".equals(body.path("resourceType").asText(null))) {
            String kind = body.path("type").asText("");
            boolean nested = kind.equals("batch-response") || kind.equals("transaction-response");
            for (JsonNode entry : body.path("entry")) {
                JsonNode resource = entry.get("resource");
                if (resource == null) continue;
                String problem = nested && "Bundle".equals(resource.path("resourceType").asText(null))
                        ? checkResponse(grant, resource, decision)
                        : checkResource(grant, resource, permissions);
                if (problem != null) return problem;
            }
            return null;
        }
        return checkResource(grant, body, permissions);
    }

    /**
     * Checks the stored version of the resource an update or delete ({@link Decision#checkStored()}) is about to change:
     * it must be the one the URL names and one the token may change (the patient's, within the restrictions).
     *
     * @return null when the write may go on; else why not
     */
    public String checkStored(SmartGrant grant, FhirRequest request, JsonNode stored) {
        if (stored == null || !stored.isObject() || !request.type().equals(stored.path("resourceType").asText(null))
                || !request.id().equals(stored.path("id").asText(null))) {
            return "the stored " + request.type() + "/" + request.id() + " cannot be read as FHIR JSON";
        }
        Permission p = request.interaction() == Interaction.DELETE ? Permission.DELETE : Permission.UPDATE;
        return acceptable(grant, request.type(), stored, EnumSet.of(p)) ? null
                : "the stored " + request.type() + " is outside what the token may " + words(p);
    }

    private String checkResource(SmartGrant g, JsonNode resource, Set<Permission> permissions) {
        String type = resource.path("resourceType").asText(null);
        if (type == null) return "a resource without resourceType";
        if (type.equals("OperationOutcome")) return null;
        if (!acceptable(g, type, resource, permissions)) {
            return article(type) + " outside what the token allows";
        }
        if (isOpen(g, type, permissions)) return null;
        for (JsonNode contained : resource.path("contained")) {
            String ct = contained.path("resourceType").asText(null);
            if (ct == null || ct.equals("Patient") || ct.equals("Bundle")) return "a contained " + ct + " in " + article(type);
            if (PatientCompartment.hasType(ct) && !acceptable(g, ct, contained, permissions)) {
                return "a contained " + ct + " outside what the token allows";
            }
        }
        return null;
    }

    private static String article(String type) {
        return (!type.isEmpty() && "AEIOU".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type;
    }

    private static boolean isOpen(SmartGrant g, String type, Set<Permission> permissions) {
        for (Permission p : permissions) {
            if (g.open(type, p)) return true;
        }
        return false;
    }

    /** True when a scope granting one of {@code permissions} on {@code type} also allows this very resource. */
    private boolean acceptable(SmartGrant g, String type, JsonNode resource, Set<Permission> permissions) {
        for (SmartScope s : g.scopes()) {
            boolean grants = false;
            for (Permission p : permissions) grants |= s.allows(type, p);
            if (!grants) continue;
            if (s.context() == Context.PATIENT && !PatientCompartment.belongs(type, resource, g.patient(), bases)) continue;
            if (!ScopeRestrictions.matches(s.restrictions(), resource)) continue;
            return true;
        }
        return false;
    }
}
