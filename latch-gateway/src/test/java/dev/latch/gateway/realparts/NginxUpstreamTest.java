package dev.latch.gateway.realparts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latch.gateway.FakeIssuer;
import dev.latch.gateway.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Debian's nginx as the upstream of a {@code passthrough} and a {@code protect} route, with the gateway in
 * this JVM so its heap can be looked at: a gibibyte goes through in each direction while the heap stays
 * small (measured after a full GC in the middle of the transfer, while the client holds back, and after
 * it) — the gateway streams, it never holds a body — and arrives intact; a client reading slowly does
 * not hold up anyone else.
 *
 * <p>Downloads are a sparse 1 GiB file in nginx's document root (stamped every 64 MiB so that a dropped,
 * repeated or reordered part changes the SHA-256); uploads are WebDAV {@code PUT}s nginx reads whole
 * and stores before it answers, so the stored file shows every byte arrived — a location answering
 * {@code return 204} would answer before the body is read and prove nothing about it.
 */
class NginxUpstreamTest {

    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;
    /** What the heap may grow by while a gibibyte passes: buffers, pools, a few objects per request. */
    static final long HEAP_BOUND = 64 * MIB;
    static final int BLOCK = (int) MIB;

    static NginxProcess nginx;
    static FakeIssuer issuer;
    static TestGateway gateway;
    static String token;
    static String downloadSha256;
    static byte[] uploadBlock;

    @BeforeAll
    static void start() throws Exception {
        nginx = NginxProcess.start(dir -> {
            try {
                Path big = dir.resolve("html").resolve("big.bin");
                try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
                    f.setLength(GIB);
                    for (long at = 0; at < GIB; at += 64 * MIB) {
                        f.seek(at);
                        f.writeLong(at); // a few real bytes; the rest of the file stays sparse (zeros)
                    }
                }
                Files.writeString(dir.resolve("html").resolve("small.txt"), "small and quick\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            NginxProcess.writableDirectory(dir, "dav");
            return """
                    sendfile on;
                    client_max_body_size 0;
                    location /dav/ {
                        dav_methods PUT DELETE;
                        dav_access user:rw all:r;
                    }
                    """;
        });
        issuer = FakeIssuer.start();
        gateway = TestGateway.start("""
                issuers:
                  - id: fake
                    issuer: %s
                    audience: %s
                routes:
                  - path: /pass/
                    upstream: %s
                    mode: passthrough
                    max-body: unlimited
                  - path: /protected/
                    upstream: %s
                    mode: protect
                    issuer: fake
                    scopes: [files]
                    max-body: unlimited
                """.formatted(issuer.issuer(), FakeIssuer.AUDIENCE, nginx.url("/"), nginx.url("/")));
        token = issuer.token("alice", "files", List.of());
        downloadSha256 = sha256(nginx.root().resolve("big.bin"));
        uploadBlock = new byte[BLOCK];
        new Random(42).nextBytes(uploadBlock);
        // the first request through each route loads classes and fills pools; the heap is measured after that
        for (String route : List.of("/pass/", "/protected/")) {
            assertThat(send(HttpRequest.newBuilder(uri(route + "small.txt")), HttpResponse.BodyHandlers.ofString()).body())
                    .isEqualTo("small and quick\n");
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (issuer != null) issuer.close();
        if (nginx != null) nginx.close();
    }

    @ParameterizedTest(name = "through {0}")
    @ValueSource(strings = {"/pass/", "/protected/"})
    void downloadOfOneGibibyteThenHeapStaysSmallAndBytesIntact(String route) throws Exception {
        long before = usedHeapAfterGc();
        HttpResponse<InputStream> r = send(HttpRequest.newBuilder(uri(route + "big.bin")), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(GIB);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long count = 0;
        long during = -1;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[256 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                count += n;
                if (during < 0 && count >= GIB / 2) {
                    // half way, with the client holding back: whatever the gateway buffered is live now
                    during = usedHeapAfterGc();
                }
            }
        }
        long after = usedHeapAfterGc();
        report("download through " + route, before, during, after);
        assertThat(count).isEqualTo(GIB);
        assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(downloadSha256);
        assertThat(during - before).as("heap growth half way through the download (bytes)").isLessThan(HEAP_BOUND);
        assertThat(after - before).as("heap growth after the download (bytes)").isLessThan(HEAP_BOUND);
    }

    @ParameterizedTest(name = "through {0}, {1}")
    @CsvSource({"/pass/, chunked", "/protected/, Content-Length"})
    void uploadOfOneGibibyteThenHeapStaysSmallAndNginxStoresEveryByte(String route, String framing) throws Exception {
        String name = "up-" + route.replace("/", "") + "-" + framing.replace("-", "").toLowerCase(java.util.Locale.ROOT) + ".bin";
        Path stored = nginx.root().resolve("dav").resolve(name);
        long before = usedHeapAfterGc();
        AtomicLong during = new AtomicLong(-1);
        AtomicLong supplied = new AtomicLong();
        GeneratedBody generated = new GeneratedBody(GIB, uploadBlock, supplied, at -> {
            if (at >= GIB / 2 && during.get() < 0) {
                // half way, with the client holding back: a body the gateway gathered before sending would be live now
                during.set(usedHeapAfterGc());
            }
        });
        HttpRequest.BodyPublisher body = framing.equals("Content-Length")
                ? HttpRequest.BodyPublishers.fromPublisher(generated, GIB)
                : HttpRequest.BodyPublishers.fromPublisher(generated);
        try {
            HttpResponse<String> r = send(HttpRequest.newBuilder(uri(route + "dav/" + name)).PUT(body), HttpResponse.BodyHandlers.ofString());
            long after = usedHeapAfterGc();
            report("upload through " + route + " (" + framing + ")", before, during.get(), after);
            assertThat(r.statusCode()).as(r.body() + nginx.output()).isEqualTo(201);
            assertThat(supplied.get()).isEqualTo(GIB);
            assertThat(Files.size(stored)).isEqualTo(GIB);
            assertStoredBlocks(stored);
            assertThat(during.get()).as("measured half way").isNotNegative();
            assertThat(during.get() - before).as("heap growth half way through the upload (bytes)").isLessThan(HEAP_BOUND);
            assertThat(after - before).as("heap growth after the upload (bytes)").isLessThan(HEAP_BOUND);
        } finally {
            Files.deleteIfExists(stored);
        }
    }

    @Test
    void slowClientReadingTheDownloadThenOtherRequestsStillAnswered() throws Exception {
        try (HttpClient slowClient = HttpClient.newHttpClient(); HttpClient others = HttpClient.newHttpClient()) {
            HttpResponse<InputStream> slow = slowClient.send(HttpRequest.newBuilder(uri("/pass/big.bin")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(slow.statusCode()).isEqualTo(200);
            AtomicLong read = new AtomicLong();
            AtomicBoolean othersDone = new AtomicBoolean();
            AtomicBoolean reachedEnd = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch reading = new CountDownLatch(1);
            Thread reader = Thread.ofPlatform().name("slow-reader").start(() -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                try (InputStream in = slow.body()) {
                    byte[] buf = new byte[64 * 1024];
                    while (!othersDone.get() || System.nanoTime() < until) {
                        int n = in.read(buf);
                        if (n < 0) {
                            reachedEnd.set(true);
                            break;
                        }
                        read.addAndGet(n);
                        reading.countDown();
                        Thread.sleep(10); // the slow client: at most 64 KiB per 10 ms
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            try {
                assertThat(reading.await(30, TimeUnit.SECONDS)).as("the slow download started").isTrue();
                // other callers on other connections, both routes, while the slow one holds its download open
                for (int i = 0; i < 20; i++) {
                    String route = i % 2 == 0 ? "/pass/" : "/protected/";
                    HttpResponse<String> r = others.send(HttpRequest.newBuilder(uri(route + "small.txt"))
                            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(route).isEqualTo(200);
                    assertThat(r.body()).isEqualTo("small and quick\n");
                }
                assertThat(reader.isAlive()).as("the slow download was still going on meanwhile").isTrue();
            } finally {
                othersDone.set(true);
                reader.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(failure.get()).isNull();
            assertThat(reachedEnd.get()).isFalse();
            assertThat(read.get()).isPositive().isLessThan(GIB);
            // the slow client hung up half way; the gateway still serves
            HttpResponse<String> r = others.send(HttpRequest.newBuilder(uri("/pass/small.txt")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }

    /** The stored upload is the generated body: each 1 MiB block the random block stamped with its offset. */
    private static void assertStoredBlocks(Path stored) throws IOException {
        byte[] expected = uploadBlock.clone();
        ByteBuffer actual = ByteBuffer.allocate(BLOCK);
        try (FileChannel ch = FileChannel.open(stored, StandardOpenOption.READ)) {
            for (long at = 0; at < GIB; at += BLOCK) {
                actual.clear();
                while (actual.hasRemaining() && ch.read(actual, at + actual.position()) > 0) { }
                GeneratedBody.stamp(expected, at);
                int mismatch = Arrays.mismatch(expected, actual.array());
                assertThat(mismatch).as("first differing byte of the block at offset %d", at).isEqualTo(-1);
            }
        }
    }

    /**
     * A body made on the fly, as a publisher of 1 MiB buffers (the client's InputStream adapter would copy
     * it in 16 KiB pieces, and be the slowest part): {@code length} bytes of {@code block} repeated, each
     * copy stamped with its offset. {@code progress} hears the offset before each buffer goes out.
     */
    static final class GeneratedBody implements Flow.Publisher<ByteBuffer> {
        private final long length;
        private final byte[] block;
        private final AtomicLong supplied;
        private final java.util.function.LongConsumer progress;

        GeneratedBody(long length, byte[] block, AtomicLong supplied, java.util.function.LongConsumer progress) {
            this.length = length;
            this.block = block.clone();
            this.supplied = supplied;
            this.progress = progress;
        }

        static void stamp(byte[] block, long offset) {
            ByteBuffer.wrap(block).putLong(0, offset);
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                private final AtomicLong demand = new AtomicLong();
                private long at;
                private volatile boolean cancelled;

                @Override
                public void request(long n) {
                    if (n <= 0) {
                        cancelled = true;
                        subscriber.onError(new IllegalArgumentException("request " + n));
                        return;
                    }
                    // the first caller emits; a request made from within onNext only adds demand (no recursion)
                    if (demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b) > 0) return;
                    long emitted;
                    do {
                        emitted = 0;
                        long want = demand.get();
                        while (emitted < want && !cancelled && at < length) {
                            progress.accept(at);
                            byte[] copy = block.clone();
                            stamp(copy, at);
                            int size = (int) Math.min(copy.length, length - at);
                            at += size;
                            supplied.addAndGet(size);
                            emitted++;
                            subscriber.onNext(ByteBuffer.wrap(copy, 0, size));
                        }
                        if (at == length && !cancelled) {
                            cancelled = true;
                            subscriber.onComplete();
                            return;
                        }
                    } while (demand.addAndGet(-emitted) > 0 && !cancelled);
                }

                @Override
                public void cancel() {
                    cancelled = true;
                }
            });
        }
    }

    private static URI uri(String path) {
        return URI.create(gateway.url(path));
    }

    private static <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) throws Exception {
        return TestGateway.HTTP.send(request.header("Authorization", "Bearer " + token).build(), handler);
    }

    private static void report(String what, long before, long during, long after) {
        System.out.printf("%s: heap in use %d MiB before, %+d MiB half way, %+d MiB after%n", what, before / MIB,
                (during - before) / MIB, (after - before) / MIB);
    }

    /** The heap in use after a full collection: what is live. */
    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteBuffer buf = ByteBuffer.allocate(BLOCK);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf.clear()) > 0) {
                sha.update(buf.flip());
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
