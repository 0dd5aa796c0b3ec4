package dev.latch.cli.options;

import dev.latch.server.config.ConfigLoader;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Duration options as in the configuration ({@code 30s}, {@code 5m}, {@code 500ms}, {@code 1h}, {@code 1d},
 * {@code PT5M}, a bare number of seconds); a bad value is a usage error. This converter wants more than
 * zero (time limits); {@link ZeroAllowed} also takes {@code 0} (a clock skew, a lifetime).
 */
public class DurationConverter implements ITypeConverter<Duration> {

    private final boolean zeroAllowed;
    private final String examples;

    public DurationConverter() {
        this(false, "30s, 5m or 500ms");
    }

    private DurationConverter(boolean zeroAllowed, String examples) {
        this.zeroAllowed = zeroAllowed;
        this.examples = examples;
    }

    /** Zero or more ({@code --skew 0} is legitimate). */
    public static final class ZeroAllowed extends DurationConverter {
        public ZeroAllowed() {
            super(true, "60s, 5m, 1h");
        }
    }

    @Override
    public Duration convert(String value) {
        Duration d;
        try {
            d = ConfigLoader.parseDuration("duration", value);
        } catch (ConfigLoader.ConfigException e) {
            throw new TypeConversionException("not a duration such as " + examples + " (was " + value + ")");
        }
        if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
            throw new TypeConversionException(zeroAllowed ? "a duration cannot be negative (was " + value + ")"
                    : "must be positive (was " + value + ")");
        }
        return d;
    }
}
