package dev.latch.fhirsample;

import ca.uhn.fhir.context.FhirContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * All the resource providers of one server, behind one lock: {@code _include}, {@code _revinclude} and
 * transactions look across resource types, and a transaction undoes its changes by putting back the
 * snapshot it took before its first entry.
 */
final class FhirStore {

    private final FhirContext fhir;
    private final Map<String, MemoryProvider<?>> providers = new LinkedHashMap<>();
    private long nextId = 1;

    FhirStore(FhirContext fhir) {
        this.fhir = fhir;
    }

    FhirContext fhir() {
        return fhir;
    }

    void add(MemoryProvider<?> provider) {
        providers.put(provider.typeName(), provider);
    }

    Iterable<MemoryProvider<?>> providers() {
        return providers.values();
    }

    /** The provider of a resource type, or {@code null} when this server keeps no such resources. */
    MemoryProvider<?> provider(String type) {
        return providers.get(type);
    }

    @SuppressWarnings("unchecked")
    <T extends Resource> MemoryProvider<T> provider(Class<T> type) {
        return (MemoryProvider<T>) providers.get(fhir.getResourceType(type));
    }

    /** An id for a created resource: a number, never one of the sample data's ids (which have letters). */
    synchronized String newId() {
        return Long.toString(nextId++);
    }

    /** The current version of a referenced resource ({@code Patient/p1} or an absolute URL), or {@code null}. */
    Resource resolve(Reference reference) {
        var id = reference.getReferenceElement();
        if (!id.hasResourceType() || !id.hasIdPart()) {
            return null;
        }
        MemoryProvider<?> provider = providers.get(id.getResourceType());
        return provider == null ? null : provider.current(id.getIdPart());
    }

    /** Every provider's versions as they are now, for {@link #restore}. */
    synchronized Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        providers.forEach((type, provider) -> snapshot.put(type, provider.snapshot()));
        snapshot.put("", nextId);
        return snapshot;
    }

    synchronized void restore(Map<String, Object> snapshot) {
        providers.forEach((type, provider) -> provider.restore(snapshot.get(type)));
        nextId = (Long) snapshot.get("");
    }
}
