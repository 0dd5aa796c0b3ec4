package dev.latch.cli.resources;

import dev.latch.server.resource.TokenProfile;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code rfc9068} or {@code jwt}; anything else is a usage error naming both. */
final class TokenProfileConverter implements ITypeConverter<TokenProfile> {
    @Override
    public TokenProfile convert(String value) {
        try {
            return TokenProfile.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
