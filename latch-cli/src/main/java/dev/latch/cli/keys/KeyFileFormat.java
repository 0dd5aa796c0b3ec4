package dev.latch.cli.keys;

/** Output formats of {@code latch keys generate} and {@code convert}. */
enum KeyFileFormat {
    pem, jwk, jwks, pkcs12
}
