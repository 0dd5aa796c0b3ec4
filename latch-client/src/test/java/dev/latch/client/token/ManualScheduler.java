package dev.latch.client.token;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/** A scheduler whose tasks run only when the test says, once the test clock has reached them. */
final class ManualScheduler implements CachingTokenSource.Scheduler {

    private record Task(Instant due, FutureTask<Void> task) {}

    private final Clock clock;
    private final List<Task> tasks = new ArrayList<>();

    ManualScheduler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Future<?> schedule(Runnable task, Duration delay) {
        FutureTask<Void> f = new FutureTask<>(task, null);
        tasks.add(new Task(clock.instant().plus(delay), f));
        return f;
    }

    /** Runs every task due by now (and those they schedule that are due too); returns how many ran. */
    int runDue() {
        int ran = 0;
        while (true) {
            Task next = null;
            synchronized (this) {
                for (Task t : tasks) {
                    if (!t.due().isAfter(clock.instant()) && !t.task().isCancelled()) {
                        next = t;
                        break;
                    }
                }
                if (next == null) {
                    tasks.removeIf(t -> t.task().isCancelled());
                    return ran;
                }
                tasks.remove(next);
            }
            next.task().run();
            ran++;
        }
    }

    /** When the earliest pending task is due, or null. */
    synchronized Instant nextDue() {
        return tasks.stream().filter(t -> !t.task().isCancelled()).map(Task::due).min(Instant::compareTo).orElse(null);
    }
}
