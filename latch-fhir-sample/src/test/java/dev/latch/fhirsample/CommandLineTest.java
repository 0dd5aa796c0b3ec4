package dev.latch.fhirsample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/** {@code SampleFhirServer.main} as a shell starts it (the runnable jar's main class), and the public base URL. */
class CommandLineTest {

    @Test
    void mainPrintsReadyServesTheSampleDataAndStopsOnSigterm() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SampleFhirServer.class.getName(), "--port", "0").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            String base = null;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("FHIR server ready: ")) {
                    base = line.substring("FHIR server ready: ".length());
                    break;
                }
            }
            assertThat(base).matches("http://127\\.0\\.0\\.1:\\d+/fhir");
            Patient amy = new Http(base).get("Patient/p1").as(Patient.class);
            assertThat(amy.getNameFirstRep().getNameAsSingleString()).isEqualTo("Amy Shaw");

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aPublicBaseUrlIsTheBaseOfLinksAndFullUrls() throws Exception {
        try (SampleFhirServer server = new SampleFhirServer("127.0.0.1", 0).loadSampleData()
                .publicBaseUrl("https://gateway.example/fhir").start()) {
            Bundle bundle = new Http(server.baseUrl()).get("Patient?_id=p2").bundle();
            assertThat(bundle.getEntryFirstRep().getFullUrl()).isEqualTo("https://gateway.example/fhir/Patient/p2");
            assertThat(bundle.getLink("self").getUrl()).startsWith("https://gateway.example/fhir/Patient?");
        }
    }

    @Test
    void anEmptyServerHasNoPatients() throws Exception {
        try (SampleFhirServer server = new SampleFhirServer("127.0.0.1", 0).start()) {
            assertThat(new Http(server.baseUrl()).get("Patient").bundle().getTotal()).isZero();
            assertThat(new Http(server.baseUrl()).get("Patient/p1").status()).isEqualTo(404);
        }
    }
}
