package dev.latch.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.latch.server.scope.ScopeCatalogue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the {@link ScopeCatalogue} must do, on each database. */
public abstract class ScopeCatalogueContract extends StoreContract {

    private ScopeCatalogue scopes;

    @BeforeEach
    void createCatalogue() {
        scopes = new ScopeCatalogue(sql);
    }

    @Test
    void putThenContainsAndAllSortedByName() {
        scopes.put("write", "Change things");
        scopes.put("read", null);
        scopes.put("system/*.read", "SMART backend read — äöü");

        assertThat(scopes.contains("read")).isTrue();
        assertThat(scopes.contains("READ")).isFalse();
        assertThat(scopes.contains("delete")).isFalse();
        assertThat(scopes.all()).containsExactly(entry("read", null), entry("system/*.read", "SMART backend read — äöü"),
                entry("write", "Change things"));
    }

    @Test
    void putAgainWithoutDescriptionKeepsTheDescription() {
        scopes.put("read", "Read things");

        scopes.put("read", null);

        assertThat(scopes.all()).containsExactly(entry("read", "Read things"));
    }

    @Test
    void putAgainWithDescriptionReplacesIt() {
        scopes.put("read", "old");

        scopes.put("read", "new");

        assertThat(scopes.all()).containsExactly(entry("read", "new"));
    }

    @Test
    void removeThenGoneAndSecondRemoveFalse() {
        scopes.put("read", null);
        scopes.put("write", null);

        assertThat(scopes.remove("read")).isTrue();

        assertThat(scopes.contains("read")).isFalse();
        assertThat(scopes.contains("write")).isTrue();
        assertThat(scopes.remove("read")).isFalse();
    }

    @Test
    void putWhenNameIsNotAScopeTokenThenRefused() {
        assertThatThrownBy(() -> scopes.put("two words", null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RFC 6749");
        assertThatThrownBy(() -> scopes.put("quote\"d", null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(scopes.all()).isEmpty();
    }

    @Test
    void longestNameAndDescriptionRoundTrip() {
        String name = "s".repeat(ScopeCatalogue.MAX_NAME_LENGTH);
        String description = "d".repeat(ScopeCatalogue.MAX_DESCRIPTION_LENGTH);

        scopes.put(name, description);

        assertThat(scopes.all()).containsExactly(entry(name, description));
    }

    @Test
    void putWhenNameOrDescriptionTooLongThenRefusedByName() {
        String name = "s".repeat(ScopeCatalogue.MAX_NAME_LENGTH + 1);

        assertThatThrownBy(() -> scopes.put(name, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longer than " + ScopeCatalogue.MAX_NAME_LENGTH);
        assertThatThrownBy(() -> scopes.put("read", "d".repeat(ScopeCatalogue.MAX_DESCRIPTION_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("description");
        assertThat(scopes.all()).isEmpty();
    }
}
