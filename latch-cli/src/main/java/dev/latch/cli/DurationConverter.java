package dev.latch.cli;

import dev.latch.server.config.ConfigLoader;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Duration options ({@code 30s}, {@code 5m}, {@code 500ms}, {@code PT5M}, a bare number of seconds); a bad value is a usage error. */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            Duration d = ConfigLoader.parseDuration("duration", value);
            if (d.isNegative() || d.isZero()) {
                throw new TypeConversionException("must be positive (was " + value + ")");
            }
            return d;
        } catch (ConfigLoader.ConfigException e) {
            throw new TypeConversionException("not a duration such as 30s, 5m or 500ms (was " + value + ")");
        }
    }
}
