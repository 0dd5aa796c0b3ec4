package dev.latch.server.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pool CPU-bound request work runs on: off the caller's virtual thread, bounded, failures passed on as they are. */
class CpuPoolTest {

    @Test
    void runWhenCalledFromVirtualThreadThenWorkRunsOnPlatformPoolThreadAndResultReturns() throws Exception {
        try (CpuPool pool = new CpuPool("test-cpu", 2, 4); ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            Thread[] caller = new Thread[1];
            Thread ran = requests.submit(() -> {
                caller[0] = Thread.currentThread();
                return pool.run(Thread::currentThread);
            }).get(60, TimeUnit.SECONDS);
            assertThat(caller[0].isVirtual()).isTrue();
            assertThat(ran).isNotSameAs(caller[0]);
            assertThat(ran.isVirtual()).isFalse();
            assertThat(ran.getName()).startsWith("test-cpu-");
        }
    }

    @Test
    void runWhenWorkThrowsCheckedExceptionThenSameExceptionReachesCaller() {
        try (CpuPool pool = new CpuPool("test-cpu", 1, 1)) {
            IOException thrown = new IOException("key unreadable");
            assertThatThrownBy(() -> pool.run(() -> {
                throw thrown;
            })).isSameAs(thrown);
            IllegalStateException unchecked = new IllegalStateException("bad key");
            assertThatThrownBy(() -> pool.run(() -> {
                throw unchecked;
            })).isSameAs(unchecked);
            // the thread survives its work's failures
            assertThat(pool.run(() -> 42)).isEqualTo(42);
        }
    }

    @Test
    void runWhenThreadsBusyAndQueueFullThenBusyAtOnceAndQueuedWorkStillRuns() throws Exception {
        try (CpuPool pool = new CpuPool("test-cpu", 1, 1); ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            Semaphore running = new Semaphore(0);
            CountDownLatch release = new CountDownLatch(1);
            CpuPool.Work<String, InterruptedException> held = () -> {
                running.release();
                release.await();
                return "done";
            };
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> runQuietly(pool, held), requests);
            assertThat(running.tryAcquire(60, TimeUnit.SECONDS)).as("the only thread is busy").isTrue();
            // of the next two, one takes the only queue place and the other is refused; which depends on arrival order
            CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> runQuietly(pool, () -> "second"), requests);
            CompletableFuture<String> third = CompletableFuture.supplyAsync(() -> runQuietly(pool, () -> "third"), requests);
            // the queued one cannot finish while the thread is held, so the first to finish is the refused one
            CompletableFuture.anyOf(second, third).handle((r, e) -> null).get(60, TimeUnit.SECONDS);
            CompletableFuture<String> refused = second.isDone() ? second : third;
            CompletableFuture<String> queued = refused == second ? third : second;
            assertThatThrownBy(refused::join).hasCauseInstanceOf(CpuPool.Busy.class);
            assertThat(first).isNotDone();
            assertThat(queued).isNotDone();
            release.countDown();
            assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo("done");
            assertThat(queued.get(60, TimeUnit.SECONDS)).isIn("second", "third");
            assertThat(pool.run(() -> "after")).isEqualTo("after");
        }
    }

    @Test
    void runWhenPoolClosedThenBusy() {
        CpuPool pool = new CpuPool("test-cpu", 1, 1);
        pool.close();
        assertThatThrownBy(() -> pool.run(() -> "late")).isInstanceOf(CpuPool.Busy.class).hasMessage("test-cpu is saturated");
    }

    /** Busy passes unchanged (unchecked); a checked failure would be wrapped. */
    private static <T> T runQuietly(CpuPool pool, CpuPool.Work<T, ? extends Exception> work) {
        try {
            return pool.run(work);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
