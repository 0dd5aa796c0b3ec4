package dev.latch.fhirsample;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Patch;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Since;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.PatchTypeEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.method.ResponsePage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The FHIR interactions every resource type has here, kept in memory: read, vread, create, update
 * (also to create with the client's id), JSON Patch, delete, and instance and type history. Each
 * subclass adds its own {@code @Search} method, its search parameters matched by {@link Match}, and
 * names its reference parameters ({@link #references}) for {@code _include} and {@code _revinclude}.
 *
 * <p>Every version is kept: a delete adds a deleted version, so history shows it and a read answers
 * 410 Gone. Stored resources are copies, and so is everything handed out, so nobody changes the store
 * from outside. Every method locks the whole {@link FhirStore}.
 */
abstract class MemoryProvider<T extends Resource> implements IResourceProvider {

    /** One version of a resource; {@code resource} is {@code null} for a delete. */
    record Version(String id, long number, Date at, Resource resource) {
        boolean deleted() {
            return resource == null;
        }
    }

    /** What a write did, for a {@link MethodOutcome} or a transaction's response entry. */
    record Written(IdType id, boolean created, Date at, Resource resource) {}

    protected final FhirStore store;
    private final Class<T> type;
    private final String typeName;
    private Map<String, List<Version>> versions = new LinkedHashMap<>();

    MemoryProvider(FhirStore store, Class<T> type) {
        this.store = store;
        this.type = type;
        this.typeName = store.fhir().getResourceType(type);
    }

    @Override
    public Class<T> getResourceType() {
        return type;
    }

    String typeName() {
        return typeName;
    }

    /**
     * The reference search parameters of this type, by name ({@code subject}, {@code patient}, ...):
     * what {@code _include=Type:name} follows and what {@code _revinclude=Type:name} looks back along.
     */
    abstract Map<String, Function<T, List<Reference>>> references();

    // ---- the FHIR interactions -----------------------------------------------------------------

    @Read(version = true)
    public T read(@IdParam IdType id) {
        synchronized (store) {
            List<Version> all = versionsOf(id);
            Version version = last(all);
            if (id.hasVersionIdPart()) {
                version = all.stream().filter(v -> Long.toString(v.number()).equals(id.getVersionIdPart())).findFirst()
                        .orElseThrow(() -> new ResourceNotFoundException(id));
            }
            if (version.deleted()) {
                throw new ResourceGoneException("Resource " + id.toUnqualifiedVersionless().getValue() + " is deleted");
            }
            return copy(type.cast(version.resource()));
        }
    }

    @Create
    public MethodOutcome create(@ResourceParam T resource) {
        return outcome(write(store.newId(), resource, null));
    }

    /** Updates, or creates with the client's id; an {@code If-Match} version must be the current one (else 412). */
    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam T resource) {
        if (resource.getIdElement().hasIdPart() && !resource.getIdElement().getIdPart().equals(id.getIdPart())) {
            throw new InvalidRequestException("The resource's id " + resource.getIdElement().getIdPart()
                    + " is not the id in the URL, " + id.getIdPart());
        }
        return outcome(write(id.getIdPart(), resource, id.getVersionIdPart()));
    }

    /** JSON Patch (RFC 6902) only; a FHIRPath Patch (a Parameters resource) answers 400. */
    @Patch
    public MethodOutcome patch(@IdParam IdType id, PatchTypeEnum patchType, @ResourceParam String body) {
        if (patchType != PatchTypeEnum.JSON_PATCH) {
            throw new InvalidRequestException("Only JSON Patch (application/json-patch+json) is supported, not " + patchType);
        }
        return outcome(patch(id, body));
    }

    @Delete
    public MethodOutcome delete(@IdParam IdType id) {
        return new MethodOutcome(delete(id.getIdPart()).id());
    }

    /** Instance history, newest first, deletes included. */
    @History
    public IBundleProvider instanceHistory(@IdParam IdType id, @Since InstantType since) {
        synchronized (store) {
            return history(versionsOf(id), since);
        }
    }

    /** Type history: every version of every resource of this type, newest first. */
    @History
    public IBundleProvider typeHistory(@Since InstantType since) {
        synchronized (store) {
            return history(versions.values().stream().flatMap(List::stream).toList(), since);
        }
    }

    // ---- the same, for transactions and for the sample data ------------------------------------

    /** Stores a new version of {@code id} (a create when there is none, or the last one is a delete). */
    Written write(String id, Resource resource, String ifMatchVersion) {
        synchronized (store) {
            List<Version> all = versions.computeIfAbsent(id, k -> new ArrayList<>());
            Version last = all.isEmpty() ? null : last(all);
            if (ifMatchVersion != null && (last == null || !Long.toString(last.number()).equals(ifMatchVersion))) {
                throw new PreconditionFailedException("If-Match version " + ifMatchVersion + " is not the current version of "
                        + typeName + "/" + id);
            }
            long number = last == null ? 1 : last.number() + 1;
            Date at = now(last);
            T stored = type.cast(resource.copy());
            stored.setId(new IdType(typeName, id, Long.toString(number)));
            stored.getMeta().setVersionId(Long.toString(number));
            stored.getMeta().setLastUpdated(at);
            all.add(new Version(id, number, at, stored));
            return new Written(stored.getIdElement(), last == null || last.deleted(), at, copy(stored));
        }
    }

    /** Applies a JSON Patch to the current version of {@code id}. */
    Written patch(IdType id, String jsonPatch) {
        synchronized (store) {
            T current = read(id.toVersionless());
            Resource patched = JsonPatch.apply(store.fhir(), current, jsonPatch);
            return write(id.getIdPart(), patched, id.getVersionIdPart());
        }
    }

    /** Adds a deleted version; 404 when there never was {@code id}, nothing more when it is already deleted. */
    Written delete(String id) {
        synchronized (store) {
            List<Version> all = versionsOf(new IdType(typeName, id));
            Version last = last(all);
            if (last.deleted()) {
                return new Written(new IdType(typeName, id, Long.toString(last.number())), false, last.at(), null);
            }
            Version deleted = new Version(id, last.number() + 1, now(last), null);
            all.add(deleted);
            return new Written(new IdType(typeName, id, Long.toString(deleted.number())), false, deleted.at(), null);
        }
    }

    /** The current version of {@code id}, a copy; {@code null} when there is none or it is deleted. */
    T current(String id) {
        synchronized (store) {
            List<Version> all = versions.get(id);
            return all == null || last(all).deleted() ? null : copy(type.cast(last(all).resource()));
        }
    }

    /** The current version of every resource not deleted, in the order they were first stored. */
    List<T> all() {
        synchronized (store) {
            return versions.values().stream().map(MemoryProvider::last).filter(v -> !v.deleted()).map(v -> copy(type.cast(v.resource()))).toList();
        }
    }

    Object snapshot() {
        synchronized (store) {
            Map<String, List<Version>> copy = new LinkedHashMap<>();
            versions.forEach((id, list) -> copy.put(id, new ArrayList<>(list)));
            return copy;
        }
    }

    @SuppressWarnings("unchecked")
    void restore(Object snapshot) {
        synchronized (store) {
            versions = (Map<String, List<Version>>) snapshot;
        }
    }

    // ---- search --------------------------------------------------------------------------------

    /**
     * The resources that pass {@code filter}, in the order they were first stored, each page with the
     * resources its matches {@code _include} and the ones that {@code _revinclude} them (search mode
     * {@code include}, not counted in the total nor in {@code _count}).
     */
    IBundleProvider search(Predicate<T> filter, Set<Include> includes, Set<Include> revIncludes) {
        List<T> matches = all().stream().filter(filter).toList();
        return new SimpleBundleProvider(matches) {
            @Override
            public List<IBaseResource> getResources(int from, int to, ResponsePage.ResponsePageBuilder page) {
                List<T> pageMatches = matches.subList(Math.max(0, from), Math.max(Math.max(0, from), Math.min(to, matches.size())));
                List<IBaseResource> result = new ArrayList<>();
                Set<String> seen = new LinkedHashSet<>();
                for (T match : pageMatches) {
                    ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(match, BundleEntrySearchModeEnum.MATCH);
                    result.add(match);
                    seen.add(key(match));
                }
                for (Resource included : included(pageMatches, includes, revIncludes)) {
                    if (seen.add(key(included))) {
                        ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(included, BundleEntrySearchModeEnum.INCLUDE);
                        result.add(included);
                    }
                }
                return result;
            }
        };
    }

    /** The reference parameter {@code name}'s references in {@code resource}; none for an unknown name. */
    List<Reference> references(String name, T resource) {
        Function<T, List<Reference>> param = references().get(name);
        return param == null ? List.of() : param.apply(resource).stream().filter(Reference::hasReference).toList();
    }

    /** The current resources whose reference parameter {@code name} points to one of {@code targets} ({@code Patient/p1}). */
    List<Resource> referencing(String name, Set<String> targets) {
        List<Resource> result = new ArrayList<>();
        for (T candidate : all()) {
            if (references(name, candidate).stream()
                    .anyMatch(ref -> targets.contains(ref.getReferenceElement().toUnqualifiedVersionless().getValue()))) {
                result.add(candidate);
            }
        }
        return result;
    }

    private List<Resource> included(List<T> matches, Set<Include> includes, Set<Include> revIncludes) {
        List<Resource> result = new ArrayList<>();
        for (Include include : includes == null ? Set.<Include>of() : includes) {
            boolean everything = "*".equals(include.getValue()) || "*".equals(include.getParamName());
            if (!everything && !typeName.equals(include.getParamType())) {
                continue; // another type's include: nothing of this type to follow
            }
            if (!everything && !references().containsKey(include.getParamName())) {
                throw new InvalidRequestException("_include: " + typeName + " has no reference parameter " + include.getParamName());
            }
            for (T match : matches) {
                List<Reference> refs = everything
                        ? references().keySet().stream().flatMap(name -> references(name, match).stream()).toList()
                        : references(include.getParamName(), match);
                for (Reference ref : refs) {
                    String target = include.getParamTargetType();
                    if (target == null || target.equals(ref.getReferenceElement().getResourceType())) {
                        Resource resolved = store.resolve(ref);
                        if (resolved != null) {
                            result.add(resolved);
                        }
                    }
                }
            }
        }
        for (Include revInclude : revIncludes == null ? Set.<Include>of() : revIncludes) {
            MemoryProvider<?> source = store.provider(revInclude.getParamType());
            if (source == null || !source.references().containsKey(revInclude.getParamName())) {
                throw new InvalidRequestException("_revinclude: no reference parameter " + revInclude.getValue());
            }
            Set<String> targets = new LinkedHashSet<>();
            matches.forEach(match -> targets.add(key(match)));
            result.addAll(source.referencing(revInclude.getParamName(), targets));
        }
        return result;
    }

    // ---- helpers -------------------------------------------------------------------------------

    private List<Version> versionsOf(IdType id) {
        List<Version> all = versions.get(id.getIdPart());
        if (all == null || all.isEmpty()) {
            throw new ResourceNotFoundException(new IdType(typeName, id.getIdPart()));
        }
        return all;
    }

    private IBundleProvider history(List<Version> list, InstantType since) {
        List<IBaseResource> entries = list.stream()
                .filter(v -> since == null || !v.at().before(since.getValue()))
                .sorted(Comparator.comparing(Version::at).thenComparing(Version::number).reversed())
                .map(this::historyEntry)
                .toList();
        return new SimpleBundleProvider(entries);
    }

    /** A history entry: the version (its request method POST or PUT), or an empty resource marked deleted. */
    private IBaseResource historyEntry(Version version) {
        T resource;
        if (version.deleted()) {
            resource = type.cast(store.fhir().getResourceDefinition(type).newInstance());
            resource.setId(new IdType(typeName, version.id(), Long.toString(version.number())));
            ResourceMetadataKeyEnum.DELETED_AT.put(resource, new InstantType(version.at()));
            ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(resource, BundleEntryTransactionMethodEnum.DELETE);
        } else {
            resource = copy(type.cast(version.resource()));
            ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(resource,
                    version.number() == 1 ? BundleEntryTransactionMethodEnum.POST : BundleEntryTransactionMethodEnum.PUT);
        }
        return resource;
    }

    private T copy(T resource) {
        T copy = type.cast(resource.copy());
        copy.setId(resource.getIdElement().copy());
        return copy;
    }

    /** The newest version (Java 17 has no List.getLast: this module runs on the default java of many machines). */
    private static Version last(List<Version> all) {
        return all.get(all.size() - 1);
    }

    private static String key(Resource resource) {
        return resource.getIdElement().toUnqualifiedVersionless().getValue();
    }

    /** Now, but never before the previous version, so history order is the write order. */
    private static Date now(Version last) {
        Date now = new Date();
        return last != null && !now.after(last.at()) ? new Date(last.at().getTime() + 1) : now;
    }

    private static MethodOutcome outcome(Written written) {
        MethodOutcome outcome = new MethodOutcome(written.id());
        outcome.setCreated(written.created());
        outcome.setResource(written.resource());
        return outcome;
    }
}
