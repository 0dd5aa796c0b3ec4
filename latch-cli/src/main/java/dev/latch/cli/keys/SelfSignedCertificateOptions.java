package dev.latch.cli.keys;

import com.nimbusds.jose.jwk.JWK;
import dev.latch.core.jose.KeyGeneration;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --subject} and {@code --days} of a self-signed certificate, for the key commands that can make one. */
final class SelfSignedCertificateOptions {

    @Option(names = "--subject", paramLabel = "DN",
            description = "Subject of the self-signed certificate, e.g. \"CN=my-client,O=Example\" (default CN=<kid>).")
    String subject;

    @Option(names = "--days", paramLabel = "N", description = "Validity of the self-signed certificate in days from now (default 365).")
    Integer days;

    /**
     * Usage errors: the options without {@code makingOption} (the flag that asks for a certificate),
     * a validity under one day, a subject that is not a distinguished name.
     */
    void check(CommandSpec spec, boolean making, String makingOption) {
        if ((subject != null || days != null) && !making) {
            throw new ParameterException(spec.commandLine(), (subject != null ? "--subject" : "--days") + " applies only with " + makingOption);
        }
        if (days != null && days < 1) {
            throw new ParameterException(spec.commandLine(), "--days must be at least 1");
        }
        if (subject != null) {
            try {
                KeyGeneration.certificateSubject(subject);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--subject: " + e.getMessage());
            }
        }
    }

    /** A certificate for {@code key} valid from {@code now} (whole seconds) for the given days. */
    X509Certificate make(JWK key, Instant now) {
        Instant from = now.truncatedTo(ChronoUnit.SECONDS);
        return KeyGeneration.selfSignedCertificate(key, subject != null ? subject : "CN=" + key.getKeyID(),
                from, from.plus(Duration.ofDays(days == null ? 365 : days)));
    }
}
