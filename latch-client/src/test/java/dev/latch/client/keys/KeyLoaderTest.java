package dev.latch.client.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.latch.client.OAuthClientException;
import dev.latch.core.secret.SecretReference;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyLoaderTest {

    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final KeyLoader loader = new KeyLoader(new SecretReference(env::get, () -> new ByteArrayInputStream(new byte[0])));

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private static com.nimbusds.jose.util.Base64URL modulus(KeyPair kp) {
        return com.nimbusds.jose.util.Base64URL.encode(((RSAPublicKey) kp.getPublic()).getModulus());
    }

    @Test
    void pkcs1PemFromAPathThenPrivateRsaJwk() throws Exception {
        KeyPair kp = KeyMaterial.rsa();
        Path f = write("k.pem", KeyMaterial.pem(kp));
        assertThat(Files.readString(f)).contains("BEGIN RSA PRIVATE KEY");

        JWK key = loader.loadPrivateKey(f.toString(), null);

        assertThat(key).isInstanceOf(RSAKey.class);
        assertThat(key.isPrivate()).isTrue();
        assertThat(key.toRSAKey().getModulus()).isEqualTo(modulus(kp));
    }

    @Test
    void pkcs8PemThroughFileReferenceThenRead() throws Exception {
        KeyPair kp = KeyMaterial.rsa();
        Path f = write("k8.pem", KeyMaterial.pem(new JcaPKCS8Generator(kp.getPrivate(), null)));
        assertThat(loader.loadPrivateKey("${file:" + f + "}", null).toRSAKey().getModulus()).isEqualTo(modulus(kp));
    }

    @Test
    void encryptedPkcs8WithPasswordThenReadAndWithWrongOrNoPasswordThenOneLineReason() throws Exception {
        KeyPair kp = KeyMaterial.ec("secp384r1");
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).setPassword("s3cret".toCharArray()).build();
        Path f = write("enc.pem", KeyMaterial.pem(new JcaPKCS8Generator(kp.getPrivate(), encryptor)));

        assertThat(((ECKey) loader.loadPrivateKey(f.toString(), "s3cret".toCharArray())).getCurve()).isEqualTo(Curve.P_384);
        assertThatThrownBy(() -> loader.loadPrivateKey(f.toString(), "wrong".toCharArray()))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("wrong password").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> loader.loadPrivateKey(f.toString(), null))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("encrypted");
    }

    @Test
    void sec1EcPemWithCertificateThenX5cCarried() throws Exception {
        KeyPair kp = KeyMaterial.ec("secp256r1");
        X509Certificate cert = KeyMaterial.selfSigned(kp, "SHA256withECDSA");
        Path f = write("ec.pem", KeyMaterial.pem(kp) + KeyMaterial.pem(cert));
        assertThat(Files.readString(f)).contains("BEGIN EC PRIVATE KEY");

        JWK key = loader.loadPrivateKey(f.toString(), null);

        assertThat(((ECKey) key).getCurve()).isEqualTo(Curve.P_256);
        assertThat(key.getX509CertChain()).hasSize(1);
        assertThat(key.getX509CertChain().get(0).decode()).isEqualTo(cert.getEncoded());
    }

    @Test
    void pkcs12WithPasswordThenKeyAndChainAndWrongPasswordThenSaysSo() throws Exception {
        KeyPair kp = KeyMaterial.rsa();
        X509Certificate cert = KeyMaterial.selfSigned(kp, "SHA256withRSA");
        Path f = write("k.p12", KeyMaterial.keyStore("PKCS12", kp, cert, "pw"));

        JWK key = loader.loadPrivateKey(f.toString(), "pw".toCharArray());
        assertThat(key.toRSAKey().getModulus()).isEqualTo(modulus(kp));
        assertThat(key.getX509CertSHA256Thumbprint().decode()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));

        assertThatThrownBy(() -> loader.loadPrivateKey(f.toString(), "nope".toCharArray()))
                .isInstanceOf(KeyLoadingException.class).hasMessage(f + ": wrong password for the PKCS#12 file");
        assertThatThrownBy(() -> loader.loadPrivateKey(f.toString(), null))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("password");
    }

    @Test
    void jksWithPasswordThenKeyAndWrongPasswordThenSaysSo() throws Exception {
        KeyPair kp = KeyMaterial.ec("secp521r1");
        X509Certificate cert = KeyMaterial.selfSigned(kp, "SHA512withECDSA");
        Path f = write("k.jks", KeyMaterial.keyStore("JKS", kp, cert, "changeit"));

        JWK key = loader.loadPrivateKey(f.toString(), "changeit".toCharArray());
        assertThat(((ECKey) key).getCurve()).isEqualTo(Curve.P_521);
        assertThat(key.getX509CertChain()).hasSize(1);

        assertThatThrownBy(() -> loader.loadPrivateKey(f.toString(), "wrong".toCharArray()))
                .isInstanceOf(KeyLoadingException.class).hasMessage(f + ": wrong password for the JKS file");
    }

    @Test
    void jwkAndSingleKeyJwksThenReadAndTwoKeyJwksThenRefused() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("k1").generate();
        assertThat(loader.loadPrivateKey(write("k.jwk", rsa.toJSONString()).toString(), null).getKeyID()).isEqualTo("k1");
        assertThat(loader.loadPrivateKey(write("k.jwks", "{\"keys\":[" + rsa.toJSONString() + "]}").toString(), null)).isEqualTo(rsa);
        ECKey ec = new ECKeyGenerator(Curve.P_256).generate();
        Path two = write("two.jwks", "{\"keys\":[" + rsa.toJSONString() + "," + ec.toJSONString() + "]}");
        assertThatThrownBy(() -> loader.loadPrivateKey(two.toString(), null))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("exactly one key (holds 2)");
    }

    @Test
    void publicJwkThenNoPrivateKey() throws Exception {
        Path f = write("pub.jwk", new RSAKeyGenerator(2048).generate().toPublicJWK().toJSONString());
        assertThatThrownBy(() -> loader.loadPrivateKey(f.toString(), null))
                .isInstanceOf(KeyLoadingException.class).hasMessage(f + ": no private key (only a public key)");
    }

    @Test
    void certificateOnlyPemThenNoPrivateKey() throws Exception {
        KeyPair kp = KeyMaterial.rsa();
        Path f = write("cert.pem", KeyMaterial.pem(KeyMaterial.selfSigned(kp, "SHA256withRSA")));
        assertThatThrownBy(() -> loader.loadPrivateKey(f.toString(), null))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("no private key");
    }

    @Test
    void secp256k1KeyThenUnsupportedCurve() throws Exception {
        Path jwk = write("k1.jwk", new ECKeyGenerator(Curve.SECP256K1).provider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).generate().toJSONString());
        assertThatThrownBy(() -> loader.loadPrivateKey(jwk.toString(), null))
                .isInstanceOf(KeyLoadingException.class).hasMessage(jwk + ": unsupported curve secp256k1 (supported: P-256, P-384, P-521)");
        Path pem = write("k1.pem", KeyMaterial.pem(KeyMaterial.ec("secp256k1")));
        assertThatThrownBy(() -> loader.loadPrivateKey(pem.toString(), null))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("unsupported");
        Path brainpool = write("bp.pem", KeyMaterial.pem(KeyMaterial.ec("brainpoolP256r1")));
        assertThatThrownBy(() -> loader.loadPrivateKey(brainpool.toString(), null))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("unsupported EC curve");
    }

    @Test
    void symmetricJwkThenCannotSign() throws Exception {
        Path f = write("oct.jwk", new OctetSequenceKeyGenerator(256).generate().toJSONString());
        assertThatThrownBy(() -> loader.loadPrivateKey(f.toString(), null))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("oct key cannot sign");
    }

    @Test
    void shortRsaKeyThenTooShort() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        Path f = write("short.pem", KeyMaterial.pem(g.generateKeyPair()));
        assertThatThrownBy(() -> loader.loadPrivateKey(f.toString(), null))
                .isInstanceOf(KeyLoadingException.class).hasMessage(f + ": RSA key of 1024 bits is too short (at least 2048)");
    }

    @Test
    void missingFileThenSaysItDoesNotExist() {
        Path f = dir.resolve("absent.pem");
        assertThatThrownBy(() -> loader.loadPrivateKey(f.toString(), null))
                .isInstanceOf(KeyLoadingException.class).isInstanceOf(OAuthClientException.class)
                .hasMessage("key file " + f + " does not exist");
        assertThatThrownBy(() -> loader.loadPrivateKey("${file:" + f + "}", null)).hasMessage("key file " + f + " does not exist");
    }

    @Test
    void garbageFileThenNotAKeyFile() throws Exception {
        Path f = write("junk.bin", "hello, world");
        assertThatThrownBy(() -> loader.loadPrivateKey(f.toString(), null))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("not a key file");
    }

    @Test
    void environmentVariableHoldingPemJwkOrBase64Pkcs12ThenRead() throws Exception {
        KeyPair kp = KeyMaterial.rsa();
        env.put("KEY_PEM", KeyMaterial.pem(new JcaPKCS8Generator(kp.getPrivate(), null)));
        assertThat(loader.loadPrivateKey("${env:KEY_PEM}", null).toRSAKey().getModulus()).isEqualTo(modulus(kp));

        ECKey ec = new ECKeyGenerator(Curve.P_384).keyID("e").generate();
        env.put("KEY_JWK", ec.toJSONString());
        assertThat(loader.loadPrivateKey("${env:KEY_JWK}", null)).isEqualTo(ec);

        byte[] p12 = KeyMaterial.keyStore("PKCS12", kp, KeyMaterial.selfSigned(kp, "SHA256withRSA"), "pw");
        env.put("KEY_P12", Base64.getMimeEncoder().encodeToString(p12));
        assertThat(loader.loadPrivateKey("${env:KEY_P12}", "pw".toCharArray()).toRSAKey().getModulus()).isEqualTo(modulus(kp));
        assertThatThrownBy(() -> loader.loadPrivateKey("${env:KEY_P12}", "bad".toCharArray()))
                .hasMessage("environment variable KEY_P12: wrong password for the PKCS#12 file");
    }

    @Test
    void unsetEnvironmentVariableOrUnknownReferenceThenOneLineReason() {
        assertThatThrownBy(() -> loader.loadPrivateKey("${env:NOPE}", null))
                .isInstanceOf(KeyLoadingException.class).hasMessage("key: environment variable NOPE is not set");
        env.put("NOT_A_KEY", "%%% not base64 %%%");
        assertThatThrownBy(() -> loader.loadPrivateKey("${env:NOT_A_KEY}", null))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("NOT_A_KEY: neither PEM");
        assertThatThrownBy(() -> loader.loadPrivateKey("${vault:x}", null))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("unknown reference");
    }

    @Test
    void certificateLoadedSeparatelyThenAttachedAndOtherKeysCertificateRefused() throws Exception {
        KeyPair kp = KeyMaterial.rsa();
        X509Certificate cert = KeyMaterial.selfSigned(kp, "SHA256withRSA");
        RSAKey key = (RSAKey) loader.loadPrivateKey(write("k.pem", KeyMaterial.pem(kp)).toString(), null);
        Path certFile = write("c.pem", KeyMaterial.pem(cert));

        JWK withCert = KeyLoader.withCertificates(key, loader.loadCertificates(certFile.toString()));

        assertThat(withCert.getKeyID()).isEqualTo(key.getKeyID());
        assertThat(withCert.isPrivate()).isTrue();
        assertThat(withCert.getX509CertChain().get(0).decode()).isEqualTo(cert.getEncoded());
        assertThat(withCert.getX509CertSHA256Thumbprint().decode()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));

        Path der = write("c.der", cert.getEncoded());
        assertThat(loader.loadCertificates(der.toString()).get(0)).isEqualTo(cert);

        X509Certificate other = KeyMaterial.selfSigned(KeyMaterial.rsa(), "SHA256withRSA");
        assertThatThrownBy(() -> KeyLoader.withCertificates(key, java.util.List.of(other)))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("is for another key");
        Path junk = write("junk.crt", "not a certificate");
        assertThatThrownBy(() -> loader.loadCertificates(junk.toString()))
                .isInstanceOf(KeyLoadingException.class).hasMessageContaining("not a readable X.509 certificate");
    }

    @Test
    void googleServiceAccountFileThenEmailKeyIdTokenUriAndKey() throws Exception {
        KeyPair kp = KeyMaterial.rsa();
        String pkcs8 = KeyMaterial.pem(new JcaPKCS8Generator(kp.getPrivate(), null));
        String json = "{\"type\":\"service_account\",\"project_id\":\"p\",\"private_key_id\":\"abc123\",\"private_key\":"
                + com.nimbusds.jose.util.JSONStringUtils.toJSONString(pkcs8)
                + ",\"client_email\":\"robot@p.iam.gserviceaccount.com\",\"client_id\":\"1\",\"token_uri\":\"https://oauth2.googleapis.com/token\"}";
        Path f = write("sa.json", json);

        GoogleServiceAccountKey account = loader.loadGoogleServiceAccount(f.toString());

        assertThat(account.clientEmail()).isEqualTo("robot@p.iam.gserviceaccount.com");
        assertThat(account.privateKeyId()).isEqualTo("abc123");
        assertThat(account.tokenUri()).hasToString("https://oauth2.googleapis.com/token");
        assertThat(account.privateKey().toRSAKey().getModulus()).isEqualTo(modulus(kp));
        assertThat(account.toString()).doesNotContain("PRIVATE");

        Path noEmail = write("bad.json", json.replace("client_email", "mail"));
        assertThatThrownBy(() -> loader.loadGoogleServiceAccount(noEmail.toString()))
                .isInstanceOf(KeyLoadingException.class).hasMessage(noEmail + ": client_email is missing");
    }
}
