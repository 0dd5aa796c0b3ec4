package dev.latch.client.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MailMessageTest {

    static MailMessage.Builder valid() {
        return MailMessage.builder().from("a@contoso.example").to("b@contoso.example").subject("s").text("t");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-address", "user@", "@contoso.example", "a@contoso.example, c@contoso.example",
            "a@contoso.example\r\nBcc: evil@attacker.example", "two words@contoso.example", "Group: a@contoso.example;", " "})
    void buildWhenRecipientMalformedThenMailAddressExceptionNamingIt(String bad) {
        assertThatThrownBy(() -> valid().to(bad).build())
                .isInstanceOfSatisfying(MailAddressException.class, e -> assertThat(e.addresses()).containsExactly(bad))
                .hasMessageStartingWith(bad.isBlank() ? "empty mail address" : "invalid mail address '")
                .hasMessageNotContaining("\n");
    }

    @Test
    void buildWhenSeveralAddressesMalformedThenAllListed() {
        assertThatThrownBy(() -> MailMessage.builder().from("me").to("ok@contoso.example", "x@").bcc("y").subject("s").text("t").build())
                .isInstanceOfSatisfying(MailAddressException.class, e -> assertThat(e.addresses()).containsExactly("me", "x@", "y"))
                .hasMessageStartingWith("3 invalid mail addresses: invalid mail address 'me'");
    }

    @Test
    void buildWhenDisplayNameGivenThenKeptApartFromAddress() {
        MailMessage m = valid().from("Nightly Reports <reports@contoso.example>").build();

        assertThat(m.from()).isEqualTo(new MailAddress("reports@contoso.example", "Nightly Reports"));
        assertThat(m.from()).hasToString("Nightly Reports <reports@contoso.example>");
        assertThat(m.to()).containsExactly(new MailAddress("b@contoso.example", null));
    }

    @Test
    void buildWhenPartsMissingThenIllegalArgument() {
        assertThatThrownBy(() -> MailMessage.builder().to("b@contoso.example").text("t").build()).hasMessage("the message has no sender (from)");
        assertThatThrownBy(() -> MailMessage.builder().from("a@contoso.example").text("t").build()).hasMessage("the message has no recipient (to, cc or bcc)");
        assertThatThrownBy(() -> valid().text(null).build()).hasMessage("the message has no body (text or html)");
        assertThatThrownBy(() -> valid().subject("Hi\r\nBcc: evil@attacker.example").build()).hasMessage("subject contains a line break");
        assertThat(valid().to().bcc("hidden@contoso.example").build().allRecipients()).extracting(MailAddress::address)
                .containsExactly("b@contoso.example", "hidden@contoso.example");
    }

    @Test
    void attachmentWhenNameOrTypeBadThenIllegalArgument() {
        assertThatThrownBy(() -> MailAttachment.bytes("a\r\nb.txt", "text/plain", new byte[0])).hasMessage("attachment name contains control characters");
        assertThatThrownBy(() -> MailAttachment.bytes(" ", "text/plain", new byte[0])).hasMessage("attachment name is empty");
        assertThatThrownBy(() -> MailAttachment.bytes("a.txt", "text", new byte[0])).hasMessageStartingWith("attachment content type 'text' is not");
        assertThatThrownBy(() -> MailAttachment.bytes("a.txt", "text/plain\r\nX-Evil: 1", new byte[0])).hasMessage("attachment content type contains control characters");
        assertThat(MailAttachment.bytes("a.bin", null, new byte[3]).contentType()).isEqualTo("application/octet-stream");
        assertThat(MailAttachment.file(Path.of("/tmp/x/report.pdf"), "application/pdf").name()).isEqualTo("report.pdf");
        assertThat(MailAttachment.file(Path.of("/tmp/x/r.pdf"), "Report 2025.pdf", "application/pdf").name()).isEqualTo("Report 2025.pdf");
    }

    @Test
    void attachmentBytesAreCopied() {
        byte[] content = {1, 2, 3};
        MailAttachment a = MailAttachment.bytes("a.bin", null, content);
        content[0] = 9;

        assertThat(a.readAllBytes()).containsExactly(1, 2, 3);
        assertThat(a.size()).isEqualTo(3);
    }
}
