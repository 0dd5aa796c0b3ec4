package dev.latch.cli.jwt;

import dev.latch.server.config.ConfigLoader;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations of zero or more on the command line (--skew 0 is legitimate), as in the configuration: {@code 60}, {@code 60s}, {@code 5m}, {@code 1h}, {@code 1d}, {@code PT5M}. */
public final class NonNegativeDuration implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            Duration d = ConfigLoader.parseDuration("duration", value);
            if (d.isNegative()) {
                throw new TypeConversionException("a duration cannot be negative (was " + value + ")");
            }
            return d;
        } catch (ConfigLoader.ConfigException e) {
            throw new TypeConversionException("not a duration such as 60s, 5m, 1h (was " + value + ")");
        }
    }
}
