package dev.latch.fhirsample;

import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.NotImplementedOperationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Batch and transaction bundles posted to the base URL. Each entry goes to its type's provider:
 * POST (create), PUT (update), PATCH (a Binary holding a JSON Patch), DELETE, and GET of one resource
 * or version ({@code Patient/p1}, {@code Patient/p1/_history/1}); a GET search in a bundle answers 400.
 *
 * <p>A transaction is all or nothing (its first failure puts back the store as it was, and is the
 * answer), runs its entries in the FHIR order (DELETE, POST, PUT and PATCH, GET) and replaces
 * references to its POST entries' {@code urn:uuid:} full URLs with the ids they got. A batch answers
 * every entry on its own, a failure as that entry's status and OperationOutcome.
 */
final class TransactionProvider {

    private final FhirStore store;

    TransactionProvider(FhirStore store) {
        this.store = store;
    }

    @Transaction
    public Bundle transaction(@TransactionParam Bundle bundle) {
        boolean transaction = bundle.getType() == BundleType.TRANSACTION;
        if (!transaction && bundle.getType() != BundleType.BATCH) {
            throw new InvalidRequestException("Bundle.type must be batch or transaction, not " + bundle.getType());
        }
        Bundle response = new Bundle().setType(transaction ? BundleType.TRANSACTIONRESPONSE : BundleType.BATCHRESPONSE);
        List<BundleEntryComponent> entries = bundle.getEntry();
        BundleEntryComponent[] answers = new BundleEntryComponent[entries.size()];
        synchronized (store) {
            if (transaction) {
                Map<String, Object> before = store.snapshot();
                try {
                    Map<String, String> newIds = assignIds(entries);
                    for (HTTPVerb verb : List.of(HTTPVerb.DELETE, HTTPVerb.POST, HTTPVerb.PUT, HTTPVerb.PATCH, HTTPVerb.GET)) {
                        for (int i = 0; i < entries.size(); i++) {
                            if (entries.get(i).getRequest().getMethod() == verb) {
                                answers[i] = run(entries.get(i), newIds.get(entries.get(i).getFullUrl()));
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    store.restore(before);
                    throw e;
                }
            } else {
                for (int i = 0; i < entries.size(); i++) {
                    try {
                        answers[i] = run(entries.get(i), null);
                    } catch (BaseServerResponseException e) {
                        answers[i] = failure(e);
                    }
                }
            }
        }
        for (BundleEntryComponent answer : answers) {
            response.addEntry(answer != null ? answer : failure(new InvalidRequestException("Entry without request.method")));
        }
        return response;
    }

    /** The ids the POST entries will get, by their full URLs ({@code urn:uuid:...}): {@code Patient/12}. */
    private Map<String, String> assignIds(List<BundleEntryComponent> entries) {
        Map<String, String> ids = new HashMap<>();
        for (BundleEntryComponent entry : entries) {
            if (entry.getRequest().getMethod() == HTTPVerb.POST && entry.hasFullUrl() && entry.hasResource()) {
                ids.put(entry.getFullUrl(), entry.getResource().fhirType() + "/" + store.newId());
            }
        }
        for (BundleEntryComponent entry : entries) {
            if (entry.hasResource()) {
                for (Reference ref : store.fhir().newTerser().getAllPopulatedChildElementsOfType(entry.getResource(), Reference.class)) {
                    if (ids.containsKey(ref.getReference())) {
                        ref.setReference(ids.get(ref.getReference()));
                    }
                }
            }
        }
        return ids;
    }

    /** Runs one entry; {@code assigned} is the id a transaction gave a POST entry ahead ({@code Patient/12}). */
    private BundleEntryComponent run(BundleEntryComponent entry, String assigned) {
        HTTPVerb verb = entry.getRequest().getMethod();
        String url = entry.getRequest().getUrl();
        if (verb == null || url == null || url.isBlank()) {
            throw new InvalidRequestException("Bundle entry without request.method and request.url");
        }
        if (url.contains("?")) {
            throw new NotImplementedOperationException("Search and conditional interactions are not supported in a bundle: " + url);
        }
        IdType id = new IdType(url.startsWith("/") ? url.substring(1) : url);
        String type = verb == HTTPVerb.POST ? url.replaceAll("/+$", "") : id.getResourceType();
        MemoryProvider<?> provider = store.provider(type);
        if (provider == null) {
            throw new NotImplementedOperationException("No resource type " + type + " here");
        }
        BundleEntryComponent answer = new BundleEntryComponent();
        switch (verb) {
            case POST -> written(answer, provider.write(assigned != null ? new IdType(assigned).getIdPart() : store.newId(),
                    resource(entry, provider), null), "201 Created");
            case PUT -> {
                Resource resource = resource(entry, provider);
                if (resource.getIdElement().hasIdPart() && !resource.getIdElement().getIdPart().equals(id.getIdPart())) {
                    throw new InvalidRequestException("The resource's id is not the id in " + url);
                }
                MemoryProvider.Written written = provider.write(id.getIdPart(), resource, ifMatch(entry));
                written(answer, written, written.created() ? "201 Created" : "200 OK");
            }
            case PATCH -> {
                if (!(entry.getResource() instanceof Binary binary) || !binary.getContentType().startsWith("application/json-patch+json")) {
                    throw new InvalidRequestException("A PATCH entry's resource is a Binary of application/json-patch+json");
                }
                String patch = new String(binary.getData(), StandardCharsets.UTF_8);
                IdType target = ifMatch(entry) == null ? id.toVersionless() : id.toVersionless().withVersion(ifMatch(entry));
                written(answer, provider.patch(new IdType(target.getValue()), patch), "200 OK");
            }
            case DELETE -> {
                provider.delete(id.getIdPart());
                answer.getResponse().setStatus("204 No Content");
            }
            case GET -> {
                Resource resource = provider.read(id);
                answer.setResource(resource).setFullUrl(resource.getIdElement().toVersionless().getValue());
                answer.getResponse().setStatus("200 OK").setEtag("W/\"" + resource.getMeta().getVersionId() + "\"")
                        .setLastModified(resource.getMeta().getLastUpdated());
            }
            default -> throw new NotImplementedOperationException("Bundle entry method " + verb + " is not supported");
        }
        return answer;
    }

    private static Resource resource(BundleEntryComponent entry, MemoryProvider<?> provider) {
        if (!entry.hasResource() || !entry.getResource().fhirType().equals(provider.typeName())) {
            throw new InvalidRequestException("Bundle entry " + entry.getRequest().getUrl() + " needs a " + provider.typeName());
        }
        return entry.getResource();
    }

    private static String ifMatch(BundleEntryComponent entry) {
        String ifMatch = entry.getRequest().getIfMatch();
        return ifMatch == null ? null : ifMatch.replaceAll("^W/", "").replace("\"", "");
    }

    private static void written(BundleEntryComponent answer, MemoryProvider.Written written, String status) {
        answer.setFullUrl(written.id().toVersionless().getValue()).setResource(written.resource());
        answer.getResponse().setStatus(status).setLocation(written.id().getValue())
                .setEtag("W/\"" + written.id().getVersionIdPart() + "\"").setLastModified(written.at());
    }

    private static BundleEntryComponent failure(BaseServerResponseException e) {
        BundleEntryComponent answer = new BundleEntryComponent();
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(OperationOutcome.IssueType.PROCESSING)
                .setDiagnostics(e.getMessage());
        answer.getResponse().setStatus(e.getStatusCode() + " " + HttpStatus.getMessage(e.getStatusCode())).setOutcome(outcome);
        return answer;
    }
}
