package dev.latch.cli.smart;

import dev.latch.server.audit.Audit;
import dev.latch.server.audit.AuditEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.latch.cli.instance.InstanceOptions;
import dev.latch.core.smart.LaunchContext;
import dev.latch.server.LatchInstance;
import dev.latch.server.http.Json;
import dev.latch.server.smart.LaunchRequest;
import dev.latch.server.smart.Launches;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code latch smart launch --client-id ID --patient ID …}: an EHR launch made directly on the
 * instance, checked by the same rules as {@code POST /smart/launch}.
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = {"Create a SMART EHR launch for an app (a client with a launch URL, initiate_login_uri, and the launch scope) "
                + "and print the launch value and the URL that opens the app with iss and launch. The launch is single use and "
                + "valid for 5 minutes."})
public final class LaunchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    InstanceOptions instance = new InstanceOptions();

    @Option(names = "--client-id", required = true, paramLabel = "ID", description = "The app to launch (a registered client).")
    String clientId;

    @Option(names = "--patient", paramLabel = "ID", description = "The patient in context: a FHIR Patient id (token response `patient`).")
    String patient;

    @Option(names = "--encounter", paramLabel = "ID", description = "The encounter in context: a FHIR Encounter id.")
    String encounter;

    @Option(names = "--fhir-context", paramLabel = "REF",
            description = "A resource in context, as a relative reference such as DocumentReference/123 (fhirContext); repeatable.")
    List<String> fhirContext;

    @Option(names = "--intent", paramLabel = "TEXT", description = "What the app is launched for (intent), e.g. reconcile-medications.")
    String intent;

    @Option(names = "--need-patient-banner", description = "The app must show a patient banner (need_patient_banner: true; left out when not given).")
    boolean needPatientBanner;

    @Option(names = "--smart-style-url", paramLabel = "URL", description = "The EHR's style sheet for the app (smart_style_url).")
    String smartStyleUrl;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "The tenant (tenant).")
    String tenant;

    @Option(names = "--user", paramLabel = "NAME", description = "The Latch user the launch is for; anyone else signing in is refused.")
    String user;

    @Option(names = "--iss", paramLabel = "BASE", description = "The FHIR base (one of smart.fhir-servers); default the only one configured.")
    String iss;

    @Option(names = "--json", description = "Print {\"launch\": …, \"launch_url\": …, \"expires_in\": …} as POST /smart/launch answers.")
    boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        List<Map<String, Object>> context = null;
        if (fhirContext != null) {
            context = new ArrayList<>();
            for (String reference : fhirContext) {
                context.add(Map.of("reference", reference));
            }
        }
        LaunchRequest request = LaunchRequest.of(clientId, iss, user,
                new LaunchContext(patient, encounter, context, intent, needPatientBanner ? Boolean.TRUE : null, smartStyleUrl, tenant));
        Launches.Created created;
        try (LatchInstance latch = instance.open(false)) {
            created = latch.launches().create(request);
            Audit.success(AuditEvent.SMART_LAUNCH).cli().client(clientId).username(user).patient(patient).write();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("launch", created.launch());
            doc.put("launch_url", created.launchUrl());
            doc.put("expires_in", created.expiresIn());
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            out.println("launch:     " + created.launch());
            out.println("launch URL: " + created.launchUrl());
            out.println("expires in: " + created.expiresIn() + " s (single use)");
        }
        out.flush();
        return 0;
    }
}
