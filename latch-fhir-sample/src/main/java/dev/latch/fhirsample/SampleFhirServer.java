package dev.latch.fhirsample;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.FifoMemoryPagingProvider;
import ca.uhn.fhir.rest.server.HardcodedServerAddressStrategy;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Resource;

/**
 * A real FHIR R4 server for tests and examples: HAPI FHIR's plain {@link RestfulServer} in Jetty, its
 * resources in memory, at {@code http://HOST:PORT/fhir}. Patient, Observation, Condition, Encounter and
 * Practitioner have their usual search parameters; AllergyIntolerance, MedicationRequest, Procedure,
 * Immunization, DiagnosticReport and Organization search only by {@code _id}, {@code patient},
 * {@code subject}. {@code /metadata} is HAPI's CapabilityStatement of all that.
 *
 * <pre>{@code
 * try (SampleFhirServer fhir = new SampleFhirServer("127.0.0.1", 0).loadSampleData().start()) {
 *     String base = fhir.baseUrl(); // http://127.0.0.1:PORT/fhir, Patient/p1 is Amy Shaw
 * }
 * }</pre>
 *
 * From a shell: {@code java -jar latch-fhir-sample/target/latch-fhir-sample.jar --port 8081}.
 */
public final class SampleFhirServer implements AutoCloseable {

    private final String host;
    private final int port;
    private final FhirStore store = new FhirStore(FhirContext.forR4Cached());
    private String publicBaseUrl;
    private Server server;
    private ServerConnector connector;

    /** A server on {@code host} (127.0.0.1 for loopback only) and {@code port} (0: a free port), with no resources. */
    public SampleFhirServer(String host, int port) {
        this.host = host;
        this.port = port;
        store.add(new PatientProvider(store));
        store.add(new ObservationProvider(store));
        store.add(new ConditionProvider(store));
        store.add(new EncounterProvider(store));
        store.add(new PractitionerProvider(store));
        store.add(new OtherProvider<>(store, AllergyIntolerance.class));
        store.add(new OtherProvider<>(store, MedicationRequest.class));
        store.add(new OtherProvider<>(store, Procedure.class));
        store.add(new OtherProvider<>(store, Immunization.class));
        store.add(new OtherProvider<>(store, DiagnosticReport.class));
        store.add(new OtherProvider<>(store, Organization.class));
    }

    /** Adds {@link SampleData#resources()}. */
    public SampleFhirServer loadSampleData() {
        return load(SampleData.resources());
    }

    /** Stores each resource as version 1 under its own id (resources of a type this server has no provider for fail). */
    public SampleFhirServer load(List<? extends Resource> resources) {
        for (Resource resource : resources) {
            MemoryProvider<?> provider = store.provider(resource.fhirType());
            if (provider == null) {
                throw new IllegalArgumentException("No " + resource.fhirType() + " here");
            }
            provider.write(resource.getIdElement().getIdPart(), resource, null);
        }
        return this;
    }

    /**
     * The base URL to write in bundle links and full URLs, for a server behind a proxy (a gateway); by
     * default each request's own URL gives it.
     */
    public SampleFhirServer publicBaseUrl(String url) {
        this.publicBaseUrl = url;
        return this;
    }

    public synchronized SampleFhirServer start() throws Exception {
        RestfulServer fhir = new RestfulServer(store.fhir());
        fhir.setServerName("Latch FHIR sample");
        fhir.setDefaultResponseEncoding(EncodingEnum.JSON);
        FifoMemoryPagingProvider paging = new FifoMemoryPagingProvider(100);
        paging.setDefaultPageSize(50);
        paging.setMaximumPageSize(500);
        fhir.setPagingProvider(paging);
        if (publicBaseUrl != null) {
            fhir.setServerAddressStrategy(new HardcodedServerAddressStrategy(publicBaseUrl));
        }
        List<IResourceProvider> providers = new ArrayList<>();
        store.providers().forEach(providers::add);
        fhir.setResourceProviders(providers);
        fhir.registerProvider(new TransactionProvider(store));

        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("fhir-sample");
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder("fhir", fhir), "/fhir/*");
        server.setHandler(context);
        server.start();
        return this;
    }

    /** {@code http://HOST:PORT/fhir}, the port the server really listens on. */
    public String baseUrl() {
        String where = host == null || host.isEmpty() || host.equals("0.0.0.0") ? "127.0.0.1" : host;
        return "http://" + (where.contains(":") ? "[" + where + "]" : where) + ":" + connector.getLocalPort() + "/fhir";
    }

    public int port() {
        return connector.getLocalPort();
    }

    public synchronized void stop() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    /**
     * {@code java -jar latch-fhir-sample.jar [--port N] [--host H] [--public-base URL] [--empty]}: the port
     * defaults to $FHIR_PORT, else 8081; the host to 127.0.0.1. Prints {@code FHIR server ready: BASE}
     * once it answers, and stops on SIGTERM or Ctrl-C.
     */
    public static void main(String[] args) throws Exception {
        String env = System.getenv("FHIR_PORT");
        int port = env != null && !env.isBlank() ? Integer.parseInt(env.trim()) : 8081;
        String host = "127.0.0.1";
        String publicBase = null;
        boolean empty = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value(args, ++i));
                case "--host" -> host = value(args, ++i);
                case "--public-base" -> publicBase = value(args, ++i);
                case "--empty" -> empty = true;
                default -> {
                    System.err.println("Usage: java -jar latch-fhir-sample.jar [--port N] [--host H] [--public-base URL] [--empty]");
                    System.exit(2);
                }
            }
        }
        SampleFhirServer fhir = new SampleFhirServer(host, port);
        if (!empty) {
            fhir.loadSampleData();
        }
        if (publicBase != null) {
            fhir.publicBaseUrl(publicBase);
        }
        fhir.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                fhir.stop();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "fhir-sample-stop"));
        System.out.println("FHIR server ready: " + fhir.baseUrl());
        System.out.flush();
        fhir.server.join();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            System.err.println(args[i - 1] + " needs a value");
            System.exit(2);
        }
        return args[i];
    }
}
