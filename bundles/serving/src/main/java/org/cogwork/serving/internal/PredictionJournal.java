package org.cogwork.serving.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.cogwork.api.engine.Prediction;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.ServiceUnavailableException;
import org.cogwork.api.problem.TooManyRequestsException;
import org.cogwork.runtime.rest.Json;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prediction log's front half: every prediction is appended to a local journal before its id goes back to the
 * caller, and a single thread moves the journal into the metadata store ({@link Predictions}) in batches. Nothing
 * acknowledged is lost: a record is in the journal file (the kernel's page cache, which survives a {@code kill -9}
 * of the process) before the response is written, and a journal segment is deleted only once every record in it
 * is in the store. After a crash, the segments left over are read back at activation and stored again, skipping
 * ids already there. What the journal does not promise: surviving a crash of the machine itself (no fsync per
 * request; {@code journal.fsync} in a later version if that is wanted).
 *
 * <p>When the store falls behind by more than {@code log.queue} records, predict answers 429 with Retry-After
 * instead of acknowledging what it might not keep ({@link #admit()}). A read of a prediction that is still on its
 * way waits for it ({@link #awaitStored}), so feedback on any acknowledged id works at once.
 *
 * <p>Layout: {@code <data>/serving/journal/<n>.jsonl}, one JSON object per line and request (the {@code predictions}
 * row: id, time, model, version, input(s), output(s), latency, shadow, caller key; see {@link Line}), a new segment
 * every 64 MB.
 */
@Component(service = PredictionJournal.class, configurationPid = ServingConfig.PID)
public class PredictionJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionJournal.class);
    static final long SEGMENT_BYTES = 64L << 20;
    /** Most requests one store transaction takes. */
    private static final int BATCH = 1000;
    /** Most predictions one store transaction takes (a batch stops growing at the request that reaches it). */
    private static final int BATCH_ROWS = 20_000;
    /** How long the drainer waits for a batch to fill before it stores what it has. */
    static final long LINGER_NANOS = 25_000_000;
    /** The drainer's sleep while a batch fills: it looks at the queue this often (not on every arrival). */
    private static final long LINGER_STEP_NANOS = 5_000_000;
    /** The lag (time to store the backlog at the measured rate) beyond which predict is refused. */
    static final long MAX_LAG_MILLIS = 1000;
    /**
     * The backlog always admitted, whatever the measured rate: the store pauses now and then (a checkpoint, a
     * collection) and a short pause must not turn into refusals (measured: with 2,000 as the floor, 16 connections of
     * single-row requests had a quarter of their requests refused after such pauses).
     */
    static final long MIN_LIMIT = 10 * BATCH;
    private static final long STOP_WAIT_MS = 10_000;

    /**
     * One journal line as read back: one {@link LoggedRequest}, whose {@code input} and {@code output} are the store's
     * JSON ({@link #write}). Short names: it is written for every request. A line from a version before requests were
     * logged whole has {@code in}, {@code out} and {@code sc} instead (one prediction: its row, value and scores).
     */
    record Line(String id, long t, String m, int v, Integer n, JsonNode input, JsonNode output, long us, boolean sh, String ck,
                Map<String, Object> in, Object out, Map<String, Object> sc) {
        LoggedRequest request() {
            if (input != null) {
                return new LoggedRequest(id, t, m, v, n == null ? 1 : n, input.toString(), output.toString(), us, sh, ck);
            }
            Map<String, Double> scores = new LinkedHashMap<>();
            if (sc != null) {
                sc.forEach((k, x) -> scores.put(k, Predictions.score(x))); // NaN comes back as the string "NaN"
            }
            return LoggedRequest.of(id, t, m, v, java.util.Collections.singletonList(in == null ? Map.of() : in),
                    List.of(new Prediction(out, scores)), us, sh, ck);
        }

        /**
         * The line of a request: its JSON texts copied in as they are (as bytes: a compact string's are copied, not
         * encoded again), not written again; the names and keys, which may need escaping, by the mapper.
         */
        static void write(LoggedRequest r, ByteArrayOutputStream to) throws IOException {
            to.write(ID);
            to.write(Json.MAPPER.writeValueAsBytes(r.id()));
            to.write((",\"t\":" + r.millis() + ",\"m\":").getBytes(StandardCharsets.UTF_8));
            to.write(Json.MAPPER.writeValueAsBytes(r.model()));
            to.write((",\"v\":" + r.version() + ",\"n\":" + r.size() + ",\"input\":").getBytes(StandardCharsets.UTF_8));
            to.write(r.input().getBytes(StandardCharsets.UTF_8));
            to.write(OUTPUT);
            to.write(r.output().getBytes(StandardCharsets.UTF_8));
            to.write((",\"us\":" + r.latencyMicros() + ",\"sh\":" + r.shadow() + ",\"ck\":").getBytes(StandardCharsets.UTF_8));
            to.write(Json.MAPPER.writeValueAsBytes(r.callerKey()));
            to.write('}');
            to.write('\n');
        }

        private static final byte[] ID = "{\"id\":".getBytes(StandardCharsets.UTF_8);
        private static final byte[] OUTPUT = ",\"output\":".getBytes(StandardCharsets.UTF_8);
    }

    /** A segment file and how many of its records are not in the store yet. */
    private static final class Segment {
        final long number;
        final Path path;
        final AtomicLong outstanding = new AtomicLong();
        volatile boolean closed;

        Segment(long number, Path path) {
            this.number = number;
            this.path = path;
        }
    }

    /** A request on its way to the store, with its segment; {@code recovered} when read back after a crash. */
    private record Pending(LoggedRequest request, Segment segment, boolean recovered) {
    }

    private final Path dir;
    private final long segmentBytes;
    private final Predictions store;
    private final int capacity;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Ids of the requests in the queue (row 0's: for reads that must wait for them). */
    private final Map<String, Boolean> inFlight = new ConcurrentHashMap<>();
    private final Object appendLock = new Object();
    /** Predictions journaled and not yet stored: in the queue or in the batch the drainer is storing. */
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong storeFailures = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong recovered = new AtomicLong();
    private final Thread drainer;
    private volatile boolean running = true;
    /** Time of the oldest prediction not yet stored (the head of the batch being stored); 0 when none is known. */
    private volatile long oldestWaitingMillis;
    /** Records the store takes per second, measured on full batches (weighted average); 0 until then. */
    private volatile double storeRate;
    private Segment current;
    private FileChannel channel;
    private long size;
    private MeterRegistry meters;
    private List<Meter> ownMeters = List.of();

    @Activate
    public PredictionJournal(ServingConfig config, @Reference Predictions store, BundleContext ctx,
                             @Reference MeterRegistry meters) throws IOException {
        this(dataDir(ctx).resolve("serving").resolve("journal"), store, config.log_queue());
        meters(meters);
    }

    /**
     * Puts the log's figures on the platform's registry: the counters {@code /api/serving} shows under {@code log},
     * read from the same fields (the queue depth and lag Prometheus sees are the ones {@link #admit()} acts on).
     */
    void meters(MeterRegistry registry) {
        meters = registry;
        ownMeters = List.of(
                Gauge.builder("cogwork.prediction.log.queued", backlog, AtomicLong::get)
                        .description("predictions journaled and not yet in the store (predict answers 429 at log.queue)")
                        .register(registry),
                TimeGauge.builder("cogwork.prediction.log.lag", this, TimeUnit.MILLISECONDS, PredictionJournal::lagMillis)
                        .description("how long the oldest waiting batch has waited for the store; 0 when nothing waits")
                        .register(registry),
                FunctionCounter.builder("cogwork.prediction.log.stored", stored, AtomicLong::get)
                        .description("predictions moved from the journal into the store").register(registry),
                FunctionCounter.builder("cogwork.prediction.log.refused", refused, AtomicLong::get)
                        .description("predict requests refused with 429 because the log was log.queue predictions behind")
                        .register(registry),
                FunctionCounter.builder("cogwork.prediction.log.store.failures", storeFailures, AtomicLong::get)
                        .description("failed attempts to store a batch (retried; the journal keeps the batch)").register(registry),
                FunctionCounter.builder("cogwork.prediction.log.recovered", recovered, AtomicLong::get)
                        .description("predictions read back from the journal at start (left by a crash) to store again")
                        .register(registry));
    }

    /** Age of the oldest prediction waiting for the store; 0 when none waits. */
    private double lagMillis() {
        long oldest = oldestWaitingMillis;
        return backlog.get() == 0 || oldest == 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest);
    }

    PredictionJournal(Path dir, Predictions store, int capacity) throws IOException {
        this(dir, store, capacity, SEGMENT_BYTES);
    }

    /** A journal whose segments roll at {@code segmentBytes} (small in tests, to see rolled segments go). */
    PredictionJournal(Path dir, Predictions store, int capacity, long segmentBytes) throws IOException {
        this.segmentBytes = segmentBytes;
        this.dir = dir;
        this.store = store;
        this.capacity = Math.max(1, capacity);
        Files.createDirectories(dir);
        long last = recover();
        open(last + 1);
        drainer = new Thread(this::drain, "cogwork-prediction-log");
        drainer.setDaemon(true);
        drainer.start();
    }

    private static Path dataDir(BundleContext ctx) {
        String d = ctx.getProperty("cogwork.data.dir");
        return Path.of(d == null ? "data" : d);
    }

    /** Queues what earlier runs journaled but did not store; returns the highest segment number seen. */
    private long recover() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("\\d{12}\\.jsonl")).sorted().toList();
        }
        long last = 0;
        for (Path file : files) {
            long number = Long.parseLong(file.getFileName().toString().substring(0, 12));
            last = Math.max(last, number);
            Segment seg = new Segment(number, file);
            seg.closed = true;
            int lines = 0;
            int unreadable = 0;
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (String text; (text = in.readLine()) != null; ) {
                    if (text.isBlank()) {
                        continue;
                    }
                    try {
                        LoggedRequest r = Json.MAPPER.readValue(text, Line.class).request();
                        seg.outstanding.incrementAndGet();
                        inFlight.put(r.id(), Boolean.TRUE);
                        queue.add(new Pending(r, seg, true));
                        backlog.addAndGet(r.size());
                        lines += r.size();
                    } catch (JsonProcessingException | IllegalArgumentException e) {
                        unreadable++; // a line cut short by a full disk: it was never acknowledged
                    }
                }
            }
            recovered.addAndGet(lines);
            if (lines > 0 || unreadable > 0) {
                LOG.info("Prediction journal {}: {} predictions to store again{}", file.getFileName(), lines,
                        unreadable == 0 ? "" : ", " + unreadable + " unreadable lines skipped (written partly, never acknowledged)");
            }
            if (lines == 0) {
                Files.deleteIfExists(file);
            }
        }
        return last;
    }

    private void open(long number) throws IOException {
        Segment seg = new Segment(number, dir.resolve(String.format("%012d.jsonl", number)));
        channel = FileChannel.open(seg.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
        current = seg;
    }

    /**
     * 429 when the store is too far behind: better refused than acknowledged and lost. Behind means more than
     * {@code log.queue} records, or more than the store writes in {@value #MAX_LAG_MILLIS} ms at the rate measured on
     * full batches: the backlog then drains within about that time once the load stops, so a prediction can be
     * read and given feedback on (from any node) soon after it was made.
     */
    void admit() {
        long waiting = backlog.get();
        if (waiting >= limit()) {
            refused.incrementAndGet();
            throw new TooManyRequestsException("the prediction log is " + waiting + " predictions behind; try again in a second", 1);
        }
    }

    /** The backlog beyond which predict is refused (see {@link #admit()}). */
    long limit() {
        double rate = storeRate;
        return rate <= 0 ? capacity : Math.min(capacity, Math.max(MIN_LIMIT, (long) (rate * MAX_LAG_MILLIS / 1000)));
    }

    /**
     * Journals a request's predictions, in one write, before their ids are returned. Returns when they are in the
     * journal file; a 503 when the journal cannot be written (a full disk): the caller must not acknowledge them.
     */
    void append(LoggedRequest request) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(request.input().length() + request.output().length() + 256);
        try {
            Line.write(request, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("a prediction cannot be written as JSON", e);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
        synchronized (appendLock) {
            if (!running) {
                throw new ServiceUnavailableException("serving is stopping; try again", 1);
            }
            try {
                while (buf.hasRemaining()) {
                    size += channel.write(buf);
                }
                Segment seg = current;
                seg.outstanding.incrementAndGet();
                inFlight.put(request.id(), Boolean.TRUE);
                queue.add(new Pending(request, seg, false));
                backlog.addAndGet(request.size());
                if (size >= segmentBytes) {
                    roll();
                }
            } catch (IOException e) {
                LOG.error("Cannot write the prediction journal {}: {}", current.path, e.toString());
                throw new ApiException(503, "the prediction log cannot be written (" + e.getMessage() + "); nothing was kept", null, null);
            }
        }
    }

    private void roll() throws IOException {
        Segment old = current;
        channel.close();
        old.closed = true;
        open(old.number + 1);
        deleteIfDone(old);
    }

    private static void deleteIfDone(Segment seg) {
        if (seg.closed && seg.outstanding.get() == 0) {
            try {
                Files.deleteIfExists(seg.path);
            } catch (IOException e) {
                LOG.warn("Cannot delete the stored prediction journal {}: {}", seg.path, e.toString());
            }
        }
    }

    private void drain() {
        List<Pending> batch = new ArrayList<>(BATCH);
        long backoff = 100;
        while (running || !queue.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    int rows = first.request().size();
                    oldestWaitingMillis = first.request().millis();
                    // group commit: wait a moment for company, as each commit of the store costs as much as
                    // hundreds of rows (at 2,000 single-row requests/s, storing as they come made the store's
                    // commits take more of the two cores than the requests themselves)
                    // It sleeps rather than waiting on the queue, which would wake it for every request: a wake-up
                    // per prediction (an unpark on the request thread, a context switch) cost more than the batch.
                    long until = System.nanoTime() + LINGER_NANOS;
                    while (batch.size() < BATCH && rows < BATCH_ROWS && running) {
                        Pending next = queue.poll();
                        if (next == null) {
                            long left = until - System.nanoTime();
                            if (left <= 0) {
                                break;
                            }
                            LockSupport.parkNanos(this, Math.min(left, LINGER_STEP_NANOS));
                            continue;
                        }
                        batch.add(next);
                        rows += next.request().size();
                    }
                }
                int rows = 0;
                for (Pending p : batch) {
                    rows += p.request().size();
                }
                try {
                    long t0 = System.nanoTime();
                    store(batch);
                    if (batch.size() == BATCH || rows >= BATCH_ROWS) { // full: the store is what limits, so this is its rate
                        double rate = rows * 1e9 / Math.max(1, System.nanoTime() - t0);
                        storeRate = storeRate <= 0 ? rate : 0.8 * storeRate + 0.2 * rate;
                    }
                } catch (RuntimeException e) {
                    // the store is down or busy: keep the batch (the journal has it too) and try again
                    storeFailures.incrementAndGet();
                    LOG.warn("Could not store {} predictions (will retry in {} ms): {}", rows, backoff, e.toString());
                    if (!running) {
                        return; // stopping: the journal keeps them for the next start
                    }
                    Thread.sleep(backoff);
                    backoff = Math.min(5_000, backoff * 2);
                    continue;
                }
                backoff = 100;
                stored.addAndGet(rows);
                backlog.addAndGet(-rows);
                Pending next = queue.peek();
                oldestWaitingMillis = next == null ? 0 : next.request().millis();
                for (Pending p : batch) {
                    inFlight.remove(p.request().id());
                    // only a closed segment can go: the open one reaches 0 after nearly every batch, and taking the
                    // append lock for it held up the requests (roll() closes under the lock and then checks itself)
                    if (p.segment().outstanding.decrementAndGet() == 0 && p.segment().closed) {
                        synchronized (appendLock) {
                            deleteIfDone(p.segment());
                        }
                    }
                }
                synchronized (inFlight) {
                    inFlight.notifyAll();
                }
                batch.clear();
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    private void store(List<Pending> batch) {
        List<LoggedRequest> fresh = new ArrayList<>(batch.size());
        List<LoggedRequest> again = new ArrayList<>();
        for (Pending p : batch) {
            (p.recovered() ? again : fresh).add(p.request());
        }
        if (!fresh.isEmpty()) {
            store.store(fresh);
        }
        if (!again.isEmpty()) {
            store.storeMissing(again);
        }
    }

    /**
     * Waits (at most {@code timeoutMillis}) until a prediction that is on its way is in the store; returns at once
     * for one that is not in flight (stored, or unknown).
     */
    void awaitStored(String predictionId, long timeoutMillis) {
        String id = predictionId == null || inFlight.containsKey(predictionId) ? predictionId : PredictionIds.base(predictionId);
        if (id == null || !inFlight.containsKey(id)) {
            return;
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (inFlight) {
            while (inFlight.containsKey(id)) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return;
                }
                try {
                    inFlight.wait(Math.min(left, 50));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    Map<String, Object> stats() {
        Map<String, Object> out = new LinkedHashMap<>();
        long waiting = backlog.get();
        out.put("queued", waiting);
        out.put("written", stored.get());
        out.put("dropped", 0);
        out.put("refused", refused.get());
        out.put("failed", storeFailures.get());
        out.put("recovered", recovered.get());
        out.put("lagMillis", (long) lagMillis());
        out.put("limit", limit());
        return out;
    }

    long written() {
        return stored.get();
    }

    /** Stores what it can within a bounded wait; what is left stays in the journal for the next start. */
    @Deactivate
    @Override
    public void close() {
        if (meters != null) {
            ownMeters.forEach(meters::remove);
        }
        synchronized (appendLock) {
            running = false;
        }
        try {
            drainer.join(STOP_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drainer.interrupt();
        synchronized (appendLock) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.warn("Closing the prediction journal: {}", e.toString());
            }
            current.closed = true;
            deleteIfDone(current);
        }
        if (backlog.get() > 0) {
            LOG.info("{} predictions stay in the journal until the next start", backlog.get());
        }
    }
}
