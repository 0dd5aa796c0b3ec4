package dev.latch.core.jose;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** X.509 certificates for {@link KeyFiles}: read from PEM or DER, taken from a JWK's {@code x5c}, thumbprinted. */
final class Certificates {

    private Certificates() {}

    static List<X509Certificate> readCertificates(byte[] pemOrDer) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : factory.generateCertificates(new ByteArrayInputStream(pemOrDer))) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no certificate found");
        }
        return out;
    }

    static List<X509Certificate> readCertificates(String pem) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    static List<X509Certificate> certificates(JWK key) throws GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        if (key.getX509CertChain() != null) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Base64 der : key.getX509CertChain()) {
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der.decode())));
            }
        }
        return out;
    }

    static Base64URL x5t(X509Certificate certificate) throws GeneralSecurityException {
        return Base64URL.encode(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded()));
    }

    static Base64URL x5tS256(X509Certificate certificate) throws GeneralSecurityException {
        return Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    }
}
