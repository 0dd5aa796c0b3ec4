package dev.latch.client.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latch.client.mail.FakeGraph.Recorded;
import dev.latch.client.mail.FakeGraph.Response;
import dev.latch.client.token.AccessToken;
import dev.latch.client.token.CachingTokenSource;
import dev.latch.server.TestClock;
import dev.latch.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Microsoft Graph sendMail and the upload-session route against a local endpoint that checks every
 * request against Microsoft's documented shapes, with bearer tokens issued by a real Latch server.
 */
class GraphMailSenderTest {

    static final String SENDER = "reports@contoso.example";
    static final String USER_PATH = "/v1.0/users/reports%40contoso.example";
    static final AtomicInteger CLIENTS = new AtomicInteger();

    static TestClock clock;
    static TestServer latch;
    static LatchTokenVerifier verifier;

    FakeGraph graph;
    LatchTokens tokens;
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void startLatch() {
        clock = TestClock.atNow();
        latch = TestServer.start(Map.of(), clock);
        verifier = new LatchTokenVerifier(latch, GraphMailSender.SCOPE, clock);
    }

    @AfterAll
    static void stopLatch() {
        latch.close();
    }

    @BeforeEach
    void startGraph() {
        graph = new FakeGraph(verifier);
        tokens = LatchTokens.register(latch, "graph-mailer-" + CLIENTS.incrementAndGet(), GraphMailSender.SCOPE);
    }

    @AfterEach
    void stopGraph() {
        graph.close();
    }

    GraphMailSender.Builder sender() {
        return GraphMailSender.builder().baseUrl(graph.baseUrl()).tokenSource(tokens).clock(clock).sleeper(sleeps::add);
    }

    static MailMessage.Builder message() {
        return MailMessage.builder().from(SENDER).to("ops@contoso.example").subject("Nightly report").text("All green.");
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    static String address(Object recipient) {
        return (String) map(map(recipient).get("emailAddress")).get("address");
    }

    void assertAuthorizedWithLatchToken(Recorded r) {
        assertThat(r.header("Authorization")).startsWith("Bearer ");
        assertThat(verifier.clientIdIfValid(r.header("Authorization").substring(7))).isEqualTo(tokens.clientId());
    }

    @Test
    void sendWhenSmallMessageThenOneSendMailRequestInGraphShape() throws Exception {
        byte[] pdf = random(100_000, 1);
        Path report = Files.write(dir.resolve("report.pdf"), pdf);
        byte[] csv = "name;amount\nÅsa;12\n".getBytes(StandardCharsets.UTF_8);

        sender().build().send(MailMessage.builder().from(SENDER).to("Ops Team <ops@contoso.example>", "dev@contoso.example")
                .cc("audit@contoso.example").bcc("archive@contoso.example").subject("Rapport für März ✓").text("Plain <body> & more")
                .attach(MailAttachment.file(report, "application/pdf"), MailAttachment.bytes("übersicht.csv", "text/csv", csv)).build());

        assertThat(graph.requests).hasSize(1);
        Recorded r = graph.requests.get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.rawPath()).isEqualTo(USER_PATH + "/sendMail");
        assertThat(r.rawQuery()).isNull();
        assertAuthorizedWithLatchToken(r);
        assertThat(r.header("Authorization")).isEqualTo("Bearer " + tokens.token().value());
        assertThat(r.header("Content-Type")).isEqualTo("application/json");

        Map<String, Object> body = r.json();
        assertThat(body).containsOnlyKeys("message", "saveToSentItems");
        assertThat(body.get("saveToSentItems")).isEqualTo(true);
        Map<String, Object> m = map(body.get("message"));
        assertThat(m).containsOnlyKeys("subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "attachments");
        assertThat(m.get("subject")).isEqualTo("Rapport für März ✓");
        assertThat(map(m.get("body"))).containsExactlyInAnyOrderEntriesOf(Map.of("contentType", "Text", "content", "Plain <body> & more"));
        assertThat(list(m.get("toRecipients"))).extracting(GraphMailSenderTest::address).containsExactly("ops@contoso.example", "dev@contoso.example");
        assertThat(map(map(list(m.get("toRecipients")).get(0)).get("emailAddress")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("address", "ops@contoso.example", "name", "Ops Team"));
        assertThat(map(map(list(m.get("toRecipients")).get(1)).get("emailAddress"))).containsOnlyKeys("address");
        assertThat(list(m.get("ccRecipients"))).extracting(GraphMailSenderTest::address).containsExactly("audit@contoso.example");
        assertThat(list(m.get("bccRecipients"))).extracting(GraphMailSenderTest::address).containsExactly("archive@contoso.example");

        List<Object> attachments = list(m.get("attachments"));
        assertThat(attachments).hasSize(2);
        Map<String, Object> first = map(attachments.get(0));
        assertThat(first).containsOnlyKeys("@odata.type", "name", "contentType", "contentBytes");
        assertThat(first.get("@odata.type")).isEqualTo("#microsoft.graph.fileAttachment");
        assertThat(first.get("name")).isEqualTo("report.pdf");
        assertThat(first.get("contentType")).isEqualTo("application/pdf");
        assertThat(Base64.getDecoder().decode((String) first.get("contentBytes"))).isEqualTo(pdf);
        Map<String, Object> second = map(attachments.get(1));
        assertThat(second.get("name")).isEqualTo("übersicht.csv");
        assertThat(second.get("contentType")).isEqualTo("text/csv");
        assertThat(Base64.getDecoder().decode((String) second.get("contentBytes"))).isEqualTo(csv);
    }

    @Test
    void sendWhenHtmlBodyAndNoSentItemsThenHtmlContentTypeAndSaveToSentItemsFalse() {
        sender().saveToSentItems(false).build().send(message().text("ignored by Graph").html("<p>All <b>green</b>.</p>").build());

        Map<String, Object> body = graph.requests.get(0).json();
        assertThat(body.get("saveToSentItems")).isEqualTo(false);
        Map<String, Object> m = map(body.get("message"));
        assertThat(map(m.get("body"))).containsExactlyInAnyOrderEntriesOf(Map.of("contentType", "HTML", "content", "<p>All <b>green</b>.</p>"));
        assertThat(m).containsOnlyKeys("subject", "body", "toRecipients");
    }

    @Test
    void sendWhenAttachmentOver3MBThenDraftUploadSessionContiguousChunksAndSend() throws Exception {
        byte[] big = random(3_500_001, 2);
        Path file = Files.write(dir.resolve("scan.tiff"), big);
        byte[] small = random(1_000, 3);

        sender().uploadChunkSize(GraphMailSender.CHUNK_UNIT).build().send(message().html("<p>scan</p>")
                .attach(MailAttachment.bytes("note.txt", "text/plain", small), MailAttachment.file(file, "image/tiff")).build());

        List<Recorded> r = graph.requests;
        // 1. the draft: the message without attachments
        assertThat(r.get(0).method()).isEqualTo("POST");
        assertThat(r.get(0).rawPath()).isEqualTo(USER_PATH + "/messages");
        assertAuthorizedWithLatchToken(r.get(0));
        Map<String, Object> draft = r.get(0).json();
        assertThat(draft).containsOnlyKeys("subject", "body", "toRecipients");
        assertThat(map(draft.get("body")).get("contentType")).isEqualTo("HTML");
        String messagePath = USER_PATH + "/messages/AAMkAD1%2Fx%2By%3D%3D"; // the id "AAMkAD1/x+y==" as one path segment
        // 2. the small attachment on its own
        assertThat(r.get(1).method()).isEqualTo("POST");
        assertThat(r.get(1).rawPath()).isEqualTo(messagePath + "/attachments");
        assertAuthorizedWithLatchToken(r.get(1));
        assertThat(r.get(1).json()).containsOnlyKeys("@odata.type", "name", "contentType", "contentBytes");
        assertThat(Base64.getDecoder().decode((String) r.get(1).json().get("contentBytes"))).isEqualTo(small);
        // 3. the upload session for the large one
        assertThat(r.get(2).method()).isEqualTo("POST");
        assertThat(r.get(2).rawPath()).isEqualTo(messagePath + "/attachments/createUploadSession");
        assertAuthorizedWithLatchToken(r.get(2));
        assertThat(r.get(2).json()).containsOnlyKeys("AttachmentItem");
        assertThat(map(r.get(2).json().get("AttachmentItem"))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "attachmentType", "file", "name", "scan.tiff", "size", 3_500_001L, "contentType", "image/tiff"));
        // 4. the bytes, in contiguous ranges of 320 KiB, without the token
        List<Recorded> puts = r.subList(3, r.size() - 1);
        assertChunks(puts, big, GraphMailSender.CHUNK_UNIT);
        assertThat(puts).hasSize(11);
        // 5. send the draft
        Recorded send = r.get(r.size() - 1);
        assertThat(send.method()).isEqualTo("POST");
        assertThat(send.rawPath()).isEqualTo(messagePath + "/send");
        assertThat(send.body()).isEmpty();
        assertAuthorizedWithLatchToken(send);
        assertThat(graph.requests("DELETE")).isEmpty();
    }

    @Test
    void sendWhenLargeAttachmentWithDefaultChunkSizeThenChunksUnder4MiB() throws Exception {
        byte[] big = random(5_000_000, 4);
        Path file = Files.write(dir.resolve("video.mp4"), big);

        sender().build().send(message().attach(MailAttachment.file(file, "video/mp4")).build());

        List<Recorded> puts = graph.requests("PUT");
        assertThat(puts).hasSize(2);
        assertChunks(puts, big, GraphMailSender.DEFAULT_CHUNK_SIZE);
        assertThat(puts.get(0).body()).hasSize(3_932_160);
    }

    /** Contiguous, complete, each a multiple of 320 KiB but the last, at most 4 MiB, no Authorization, bytes equal. */
    static void assertChunks(List<Recorded> puts, byte[] expected, int chunkSize) {
        Pattern range = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");
        ByteArrayOutputStream uploaded = new ByteArrayOutputStream();
        long next = 0;
        for (int i = 0; i < puts.size(); i++) {
            Recorded put = puts.get(i);
            assertThat(put.method()).isEqualTo("PUT");
            assertThat(put.rawPath()).startsWith("/upload/");
            assertThat(put.rawQuery()).isEqualTo("authtoken=opaque");
            assertThat(put.header("Authorization")).as("no Authorization header on the upload URL").isNull();
            assertThat(put.header("Content-Type")).isEqualTo("application/octet-stream");
            assertThat(put.header("Content-Length")).isEqualTo(Integer.toString(put.body().length));
            Matcher m = range.matcher(put.header("Content-Range"));
            assertThat(m.matches()).as(put.header("Content-Range")).isTrue();
            assertThat(Long.parseLong(m.group(1))).isEqualTo(next);
            assertThat(Long.parseLong(m.group(2))).isEqualTo(next + put.body().length - 1);
            assertThat(Long.parseLong(m.group(3))).isEqualTo(expected.length);
            assertThat(put.body().length).isLessThanOrEqualTo(4 * 1024 * 1024);
            if (i < puts.size() - 1) {
                assertThat(put.body().length).isEqualTo(chunkSize);
                assertThat(put.body().length % (320 * 1024)).isZero();
            }
            uploaded.writeBytes(put.body());
            next += put.body().length;
        }
        assertThat(next).isEqualTo(expected.length);
        assertThat(uploaded.toByteArray()).isEqualTo(expected);
    }

    @Test
    void sendWhenSmallAttachmentsTogetherTooLargeForOneRequestThenEachPostedToDraft() {
        byte[] a = random(2_000_000, 5);
        byte[] b = random(2_000_000, 6);

        sender().build().send(message().attach(MailAttachment.bytes("a.bin", null, a), MailAttachment.bytes("b.bin", null, b)).build());

        assertThat(graph.requests).extracting(r -> r.method() + " " + r.rawPath().replace(USER_PATH, "~")).containsExactly(
                "POST ~/messages", "POST ~/messages/AAMkAD1%2Fx%2By%3D%3D/attachments",
                "POST ~/messages/AAMkAD1%2Fx%2By%3D%3D/attachments", "POST ~/messages/AAMkAD1%2Fx%2By%3D%3D/send");
        assertThat(Base64.getDecoder().decode((String) graph.requests.get(2).json().get("contentBytes"))).isEqualTo(b);
        assertThat(graph.requests.get(1).json().get("contentType")).isEqualTo("application/octet-stream");
    }

    @Test
    void sendWhenAttachmentOverGraphLimitThenMailAttachmentExceptionBeforeAnyRequest() throws IOException {
        Path huge = dir.resolve("huge.iso");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(GraphMailSender.MAX_ATTACHMENT_SIZE + 1); // sparse: no disk used
        }
        GraphMailSender sender = sender().build();

        assertThatThrownBy(() -> sender.send(message().attach(MailAttachment.file(huge, "application/octet-stream")).build()))
                .isInstanceOf(MailAttachmentException.class)
                .hasMessage("attachment huge.iso is 150000001 bytes; Microsoft Graph takes at most 150000000 bytes per attachment");
        assertThat(graph.requests).isEmpty();
        assertThat(tokens.fetches()).isZero();
    }

    @Test
    void sendWhenAttachmentOverConfiguredLimitThenMailAttachmentException() {
        GraphMailSender sender = sender().maxAttachmentSize(1_000_000).build();

        assertThatThrownBy(() -> sender.send(message().attach(MailAttachment.bytes("a.bin", null, new byte[1_000_001])).build()))
                .isInstanceOf(MailAttachmentException.class)
                .hasMessage("attachment a.bin is 1000001 bytes; Microsoft Graph takes at most 1000000 bytes per attachment");
        assertThat(graph.requests).isEmpty();
        sender.send(message().attach(MailAttachment.bytes("a.bin", null, new byte[1_000_000])).build());
        assertThat(graph.requests).hasSize(1);
    }

    @Test
    void sendWhenGraphRefusesThenGraphErrorExceptionWithCodeMessageAndRequestId() {
        graph.respondNext(Response.graphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.\\nA recipient was rejected."));

        assertThatThrownBy(() -> sender().build().send(message().build()))
                .isInstanceOfSatisfying(GraphErrorException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("ErrorInvalidRecipients");
                    assertThat(e.graphMessage()).isEqualTo("At least one recipient isn't valid. A recipient was rejected.");
                    assertThat(e.requestId()).isEqualTo("req-400");
                    assertThat(e.retryAfter()).isNull();
                })
                .hasMessage("Microsoft Graph answered 400 ErrorInvalidRecipients while sendMail for " + SENDER
                        + ": At least one recipient isn't valid. A recipient was rejected. [request-id req-400]");
        assertThat(graph.requests).hasSize(1);
        assertThat(tokens.invalidated).isEmpty();
    }

    @Test
    void sendWhenCachedTokenExpiredThenInvalidatedAndRetriedOnceWithFreshToken() {
        AccessToken stale = tokens.token();
        clock.advance(Duration.ofHours(3)); // Graph (the fake, on the same clock) now refuses it

        sender().build().send(message().build());

        assertThat(graph.requests).hasSize(2);
        assertThat(graph.requests.get(0).header("Authorization")).isEqualTo("Bearer " + stale.value());
        assertThat(graph.requests.get(1).header("Authorization")).isEqualTo("Bearer " + tokens.token().value()).isNotEqualTo("Bearer " + stale.value());
        assertAuthorizedWithLatchToken(graph.requests.get(1));
        assertThat(tokens.invalidated).containsExactly(stale);
        assertThat(tokens.fetches()).isEqualTo(2);
    }

    @Test
    void sendWhenCachingTokenSourceHoldsATokenGraphNoLongerTakesThenRenewedOnceAndSent() {
        try (CachingTokenSource cache = tokens.caching()) {
            AccessToken held = cache.token(); // valid by the source's own clock
            clock.advance(Duration.ofHours(3)); // Graph's clock moved on: it refuses that token now

            sender().tokenSource(cache).build().send(message().build());

            assertThat(graph.requests).extracting(r -> r.header("Authorization"))
                    .containsExactly("Bearer " + held.value(), "Bearer " + cache.token().value());
            assertAuthorizedWithLatchToken(graph.requests.get(1));
        }
    }

    @Test
    void sendWhenFreshTokenAlsoRefusedThenGraphErrorException401AfterOneRetry() {
        LatchTokens outlookTokens = LatchTokens.register(latch, "wrong-scope-" + CLIENTS.incrementAndGet(), SmtpProvider.OFFICE365.scope());
        GraphMailSender sender = sender().tokenSource(outlookTokens).build();

        assertThatThrownBy(() -> sender.send(message().build()))
                .isInstanceOfSatisfying(GraphErrorException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.code()).isEqualTo("InvalidAuthenticationToken");
                })
                .hasMessageStartingWith("Microsoft Graph answered 401 InvalidAuthenticationToken while sendMail for " + SENDER)
                .hasMessageNotContaining(outlookTokens.token().value());
        assertThat(graph.requests).hasSize(2);
        assertThat(outlookTokens.invalidated).hasSize(1);
    }

    @Test
    void sendWhenThrottledWithRetryAfterThenWaitsThatLongAndRetriesOnce() {
        graph.respondNext(Response.graphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", "Retry-After", "7"));

        sender().build().send(message().build());

        assertThat(sleeps).containsExactly(Duration.ofSeconds(7));
        assertThat(graph.requests).hasSize(2);
        assertThat(graph.requests.get(1).json()).isEqualTo(graph.requests.get(0).json());
    }

    @Test
    void sendWhenThrottledTwiceThenGraphErrorExceptionAfterOneRetry() {
        Response throttled = Response.graphError(429, "ApplicationThrottled", "Too many requests.", "Retry-After", "1");
        graph.respondNext(throttled, throttled);

        assertThatThrownBy(() -> sender().build().send(message().build()))
                .isInstanceOfSatisfying(GraphErrorException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                })
                .hasMessage("Microsoft Graph answered 429 ApplicationThrottled while sendMail for " + SENDER
                        + ": Too many requests. (Retry-After 1 s) [request-id req-429]");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1));
        assertThat(graph.requests).hasSize(2);
    }

    @Test
    void sendWhenRetryAfterIsHttpDateThenReadAgainstClock() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().plusSeconds(30).atZone(ZoneOffset.UTC));
        graph.respondNext(Response.graphError(503, "ServiceUnavailable", "Try later.", "Retry-After", date));

        sender().build().send(message().build());

        assertThat(sleeps).containsExactly(Duration.ofSeconds(30));
        assertThat(graph.requests).hasSize(2);
    }

    @Test
    void sendWhenRetryAfterLongerThanAllowedThenFailsAtOnce() {
        graph.respondNext(Response.graphError(429, "ApplicationThrottled", "Too many requests.", "Retry-After", "3600"));

        assertThatThrownBy(() -> sender().build().send(message().build()))
                .isInstanceOfSatisfying(GraphErrorException.class, e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofHours(1)));
        assertThat(sleeps).isEmpty();
        assertThat(graph.requests).hasSize(1);
    }

    @Test
    void sendWhenUnavailableWithoutRetryAfterThenNoRetry() {
        graph.respondNext(Response.graphError(503, "ServiceUnavailable", "Service unavailable."));

        assertThatThrownBy(() -> sender().build().send(message().build()))
                .isInstanceOfSatisfying(GraphErrorException.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(sleeps).isEmpty();
        assertThat(graph.requests).hasSize(1);
    }

    @Test
    void sendWhenErrorBodyIsNotGraphJsonThenStatusOnly() {
        graph.respondNext(new Response(502, Map.of("Content-Type", "text/html"), "<html><body>Bad gateway</body></html>"));

        assertThatThrownBy(() -> sender().build().send(message().build()))
                .isInstanceOfSatisfying(GraphErrorException.class, e -> {
                    assertThat(e.status()).isEqualTo(502);
                    assertThat(e.code()).isNull();
                })
                .hasMessage("Microsoft Graph answered 502 while sendMail for " + SENDER);
    }

    @Test
    void sendWhenRedirectedThenNotFollowedAndTokenNotSentElsewhere() {
        try (FakeGraph elsewhere = new FakeGraph(verifier)) {
            graph.respondNext(new Response(307, Map.of("Location", elsewhere.baseUrl() + USER_PATH + "/sendMail"), null));

            assertThatThrownBy(() -> sender().build().send(message().build()))
                    .isInstanceOfSatisfying(GraphErrorException.class, e -> assertThat(e.status()).isEqualTo(307))
                    .hasMessage("Microsoft Graph answered 307 while sendMail for " + SENDER + " (a redirect, not followed with a token)");
            assertThat(elsewhere.requests).isEmpty();
        }
    }

    @Test
    void sendWhenUploadFailsThenDraftDeletedAndGraphErrorException() {
        graph.override(r -> r.method().equals("PUT")
                ? Response.graphError(500, "ErrorInternalServerError", "An internal server error occurred.") : null);

        assertThatThrownBy(() -> sender().build().send(message().attach(MailAttachment.bytes("big.bin", null, new byte[3_000_000])).build()))
                .isInstanceOfSatisfying(GraphErrorException.class, e -> assertThat(e.code()).isEqualTo("ErrorInternalServerError"))
                .hasMessageStartingWith("Microsoft Graph answered 500 ErrorInternalServerError while uploading big.bin");
        Recorded last = graph.requests.get(graph.requests.size() - 1);
        assertThat(last.method()).isEqualTo("DELETE");
        assertThat(last.rawPath()).isEqualTo(USER_PATH + "/messages/AAMkAD1%2Fx%2By%3D%3D");
        assertAuthorizedWithLatchToken(last);
        assertThat(graph.requests).extracting(Recorded::rawPath).noneMatch(p -> p.endsWith("/send"));
    }

    @Test
    void sendWhenUploadServerAsksForARangeAgainThenItIsResent() {
        byte[] big = random(3_300_000, 7);
        AtomicInteger puts = new AtomicInteger();
        graph.override(r -> r.method().equals("PUT") && puts.incrementAndGet() == 2
                // the second range "got lost": the server still expects it
                ? Response.json(200, "{\"expirationDateTime\":\"2025-03-04T05:21:07Z\",\"nextExpectedRanges\":[\"" + GraphMailSender.CHUNK_UNIT + "\"]}")
                : null);

        sender().uploadChunkSize(GraphMailSender.CHUNK_UNIT).build().send(message().attach(MailAttachment.bytes("big.bin", null, big)).build());

        List<Recorded> sent = graph.requests("PUT");
        assertThat(sent).hasSize(12);
        assertThat(sent.get(1).header("Content-Range")).isEqualTo(sent.get(2).header("Content-Range")).isEqualTo("bytes 327680-655359/3300000");
        assertThat(graph.uploads.values().iterator().next().toByteArray()).isEqualTo(big);
    }

    @Test
    void sendWhenUploadServerLostTheLastRangeThenItIsResentBeforeSending() {
        byte[] big = random(3_100_000, 8);
        AtomicInteger puts = new AtomicInteger();
        long lastStart = 9L * GraphMailSender.CHUNK_UNIT;
        graph.override(r -> r.method().equals("PUT") && puts.incrementAndGet() == 10
                ? Response.json(200, "{\"nextExpectedRanges\":[\"" + lastStart + "\"]}") : null);

        sender().uploadChunkSize(GraphMailSender.CHUNK_UNIT).build().send(message().attach(MailAttachment.bytes("big.bin", null, big)).build());

        List<Recorded> sent = graph.requests("PUT");
        assertThat(sent).hasSize(11);
        assertThat(sent.get(9).header("Content-Range")).isEqualTo(sent.get(10).header("Content-Range")).isEqualTo("bytes 2949120-3099999/3100000");
        assertThat(graph.uploads.values().iterator().next().toByteArray()).isEqualTo(big);
        assertThat(graph.requests.get(graph.requests.size() - 1).rawPath()).endsWith("/send");
    }

    @Test
    void sendWhenUploadServerKeepsAskingForTheSameRangeThenMailExceptionAfterTwoRepeats() {
        graph.override(r -> r.method().equals("PUT")
                ? Response.json(200, "{\"nextExpectedRanges\":[\"0\"]}") : null);

        assertThatThrownBy(() -> sender().uploadChunkSize(GraphMailSender.CHUNK_UNIT).build()
                .send(message().attach(MailAttachment.bytes("big.bin", null, new byte[3_000_000])).build()))
                .isExactlyInstanceOf(MailException.class)
                .hasMessage("Microsoft Graph asked for bytes from 0 of big.bin again after receiving 0-327679 of 3000000");
        assertThat(graph.requests("PUT")).hasSize(3).extracting(r -> r.header("Content-Range")).containsOnly("bytes 0-327679/3000000");
        assertThat(graph.requests("DELETE")).hasSize(1);
    }

    @Test
    void sendWhenGraphUnreachableThenMailConnectionException() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        GraphMailSender sender = sender().baseUrl("http://127.0.0.1:" + port).build();

        assertThatThrownBy(() -> sender.send(message().build()))
                .isInstanceOf(MailConnectionException.class)
                .hasMessage("Microsoft Graph: cannot reach http://127.0.0.1:" + port + ": connection refused (while sendMail for " + SENDER + ")")
                .hasMessageNotContaining("\n");
    }

    @Test
    void builderWhenBaseUrlOrChunkSizeUnsafeThenRefused() {
        assertThatThrownBy(() -> GraphMailSender.builder().baseUrl("http://graph.microsoft.com"))
                .hasMessage("Graph base URL must be https (http only to a loopback host): http://graph.microsoft.com");
        assertThatThrownBy(() -> GraphMailSender.builder().baseUrl("https://graph.microsoft.com/v1.0"))
                .hasMessageStartingWith("Graph base URL is scheme, host and port only");
        assertThatThrownBy(() -> GraphMailSender.builder().baseUrl("graph.microsoft.com")).hasMessageStartingWith("Graph base URL must be an absolute URL");
        assertThatThrownBy(() -> GraphMailSender.builder().uploadChunkSize(4 * 1024 * 1024))
                .hasMessage("upload chunk size must be a multiple of 327680 bytes (320 KiB) and at most 4 MiB: 4194304");
        assertThatThrownBy(() -> GraphMailSender.builder().uploadChunkSize(13 * GraphMailSender.CHUNK_UNIT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GraphMailSender.builder().maxAttachmentSize(GraphMailSender.MAX_ATTACHMENT_SIZE + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GraphMailSender.builder().build()).hasMessage("token source is missing");
        assertThat(GraphMailSender.builder().tokenSource(tokens).build().baseUrl()).hasToString("https://graph.microsoft.com");
    }

    @Test
    void pathSegmentEncodesEverythingButUnreservedCharacters() {
        assertThat(GraphMailSender.pathSegment("a.b_c-d~e@f")).isEqualTo("a.b_c-d~e%40f");
        assertThat(GraphMailSender.pathSegment("../x/y?z#w +")).isEqualTo("..%2Fx%2Fy%3Fz%23w%20%2B");
        assertThat(GraphMailSender.pathSegment("jürgen@contoso.example")).isEqualTo("j%C3%BCrgen%40contoso.example");
    }
}
