package dev.latch.cli;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for something another component does on its own schedule, up to a deadline, without a fixed sleep. */
public final class Poll {

    private Poll() {}

    /** Calls {@code attempt} until it returns non-null or {@code within} has passed; returns the last result (null on timeout). */
    public static <T> T until(Duration within, Supplier<T> attempt) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            T result = attempt.get();
            if (result != null || System.nanoTime() > deadline) {
                return result;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
