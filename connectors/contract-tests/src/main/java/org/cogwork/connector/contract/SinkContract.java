package org.cogwork.connector.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.cogwork.api.connector.DataSink;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.connector.DatasetExistsException;
import org.cogwork.api.connector.DatasetInfo;
import org.cogwork.api.connector.UnknownDatasetException;
import org.cogwork.api.connector.WriteOptions;
import org.cogwork.api.connector.WriteReport;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.query.Query;
import org.cogwork.connector.file.FileSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DataSink} must do, whatever stores the bytes: round trip of real data (credit_data.csv, with its
 * missing values) and of a schema that inference would not give back, CREATE never overwrites (also against a
 * concurrent CREATE), REPLACE replaces atomically (readers see the old or the new dataset whole), hostile names
 * refused before anything is written, and a write that fails half way (the rows' iterator throws, a bad row) leaves
 * nothing behind. A connector adds one subclass in a test that says how to look at its store behind the sink's back
 * (the file connector's {@code FileSinkContractTest} and the S3 connector's {@code S3SinkContractTest} in this
 * repository are examples). The data's folder is the system property {@code cogwork.data} ({@link ContractData}).
 */
public abstract class SinkContract {
    /** The file connector on {@code credit_data.csv}. */
    protected static FileSource reference;
    /** Its schema. */
    protected static Schema creditSchema;
    /** Its 4,454 rows. */
    protected static List<Row> credit;

    /** The sink under test: one instance for the class, on an empty folder or prefix. */
    protected abstract DataSink sink() throws Exception;

    /** A new connector instance on the same store (nothing cached): what another node or a restart would see. */
    protected abstract DataSink reopen() throws Exception;

    /** Every name stored under the sink's folder or prefix, relative to it, hidden ones included. */
    protected abstract Set<String> stored() throws Exception;

    /** Every name stored outside the sink's folder or prefix that a name escaping it could reach. */
    protected abstract Set<String> outside() throws Exception;

    /** The stored bytes of a dataset, read behind the sink's back. */
    protected abstract byte[] bytes(String dataset) throws Exception;

    /** Stores {@code bytes} as {@code dataset} behind the sink's back, as another tool would. */
    protected abstract void overwrite(String dataset, byte[] bytes) throws Exception;

    @BeforeAll
    static void loadCredit() throws Exception {
        reference = ContractData.fileSource("reference", ContractData.credit());
        creditSchema = reference.schema("credit_data.csv");
        credit = reference.read("credit_data.csv", Query.all()).toList();
        assertEquals(4454, credit.size());
    }

    protected static List<Row> read(DataSource s, String dataset) throws Exception {
        return s.read(dataset, Query.all()).toList();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static List<String> names(DataSource s) throws Exception {
        return s.datasets().stream().map(DatasetInfo::name).toList();
    }

    /** Yields {@code rows}, then throws {@code failure} instead of the row after the {@code after}-th. */
    static Iterator<Row> failingAfter(List<Row> rows, int after, RuntimeException failure) {
        return new Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
                return n < rows.size();
            }

            @Override
            public Row next() {
                if (n == after) {
                    throw failure;
                }
                return rows.get(n++);
            }
        };
    }

    @Test
    void creditDataRoundTripsInEveryFormatWithItsMissingValues() throws Exception {
        DataSink sink = sink();
        for (String name : List.of("credit/credit.csv", "credit/credit.jsonl.gz", "credit.ndjson")) {
            WriteReport r = sink.write(name, reference.read("credit_data.csv", Query.all()), WriteOptions.create());
            byte[] stored = bytes(name);
            assertEquals(name, r.dataset());
            assertEquals(4454, r.rows(), name);
            assertEquals(stored.length, r.bytes(), name);
            assertEquals(sha256(stored), r.sha256(), name + ": the checksum is that of the stored bytes");
            assertEquals(creditSchema, sink.schema(name), name);
            List<Row> back = read(sink, name);
            assertEquals(credit, back, name + ": every row, in order");
            assertEquals(381, back.stream().filter(x -> x.get("Income") == null).count(), name + ": missing incomes stay missing");
            assertEquals(creditSchema, reopen().schema(name), name + ": a new connector instance reads the same schema");
            assertEquals(credit, read(reopen(), name), name);
            assertTrue(names(sink).contains(name), name + " is listed");
        }
        assertEquals(0x1f, bytes("credit/credit.jsonl.gz")[0] & 0xff, "a .gz name is stored gzipped");
    }

    protected static final Schema TYPED = new Schema(List.of(new Field("id", DataType.INT, false), Field.of("code", DataType.STRING),
            Field.of("label", DataType.CATEGORICAL), Field.of("score", DataType.DOUBLE), Field.of("ok", DataType.BOOLEAN),
            Field.of("review", DataType.TEXT), Field.of("day", DataType.DATE), Field.of("at", DataType.TIMESTAMP),
            Field.of("empty", DataType.INT)));

    /** A schema inference would not give back: digits as STRING and CATEGORICAL, whole numbers as DOUBLE, no INT values. */
    protected static List<Row> typedRows() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(new Row(TYPED, (long) i, String.format("%05d", i), i % 3 == 0 ? "1" : "0", (double) (i * 10),
                    i % 7 == 0 ? null : i % 2 == 0, i % 5 == 0 ? null : "review " + i + ", with \"quotes\"\nand a line break",
                    LocalDate.of(2024, 1, 1).plusDays(i), Instant.parse("2024-01-01T00:00:00Z").plusMillis(i * 1001L), null));
        }
        return rows;
    }

    @Test
    void theSchemaWrittenIsTheSchemaReadNotAnInferredOne() throws Exception {
        DataSink sink = sink();
        for (String name : List.of("typed/labels.csv", "typed/labels.jsonl")) {
            sink.write(name, TYPED, typedRows().iterator(), WriteOptions.create());
            for (DataSource s : List.of(sink, reopen())) {
                assertEquals(TYPED, s.schema(name), name + ": label stays CATEGORICAL, code STRING, score DOUBLE");
                assertEquals(typedRows(), read(s, name), name);
            }
        }
        // Edited by another tool: the record belongs to the version written, so the new text is inferred
        overwrite("typed/labels.csv", "id,code,label\n1,007,1\n2,008,0\n".getBytes(StandardCharsets.UTF_8));
        DataSink fresh = reopen();
        assertEquals(DataType.INT, fresh.schema("typed/labels.csv").require("code").type());
        assertEquals(3, fresh.schema("typed/labels.csv").size());
        assertEquals(DataType.INT, sink.schema("typed/labels.csv").require("label").type(), "also for the writing instance");
    }

    @Test
    void anEmptyDatasetRoundTrips() throws Exception {
        DataSink sink = sink();
        for (String name : List.of("empty.csv", "empty.jsonl")) {
            WriteReport r = sink.write(name, TYPED, List.<Row>of().iterator(), WriteOptions.create());
            assertEquals(0, r.rows());
            assertEquals(TYPED, reopen().schema(name), name);
            assertEquals(List.of(), read(sink, name), name);
        }
    }

    @Test
    void createNeverOverwrites() throws Exception {
        DataSink sink = sink();
        sink.write("once.csv", TYPED, typedRows().iterator(), WriteOptions.create());
        byte[] before = bytes("once.csv");
        AtomicInteger consumed = new AtomicInteger();
        Iterator<Row> other = credit.stream().peek(x -> consumed.incrementAndGet()).iterator();
        DatasetExistsException e = assertThrows(DatasetExistsException.class,
                () -> sink.write("once.csv", creditSchema, other, WriteOptions.create()));
        assertTrue(e.getMessage().contains("'once.csv'"), e.getMessage());
        assertEquals(0, consumed.get(), "refused before any row is consumed");
        assertEquals(sha256(before), sha256(bytes("once.csv")));
        assertEquals(typedRows(), read(reopen(), "once.csv"));
    }

    @Test
    void ofTwoConcurrentCreatesExactlyOneWins() throws Exception {
        DataSink sink = sink();
        for (int round = 0; round < 3; round++) {
            String name = "race/r" + round + ".csv";
            // both writers pass the existence check, then meet in their iterators, then race to publish
            CountDownLatch bothStarted = new CountDownLatch(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<WriteReport>> writers = new ArrayList<>();
                for (List<Row> rows : List.of(credit.subList(0, 100), credit.subList(100, 300))) {
                    Iterator<Row> it = rows.iterator();
                    Iterator<Row> meeting = new Iterator<>() {
                        boolean first = true;

                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Row next() {
                            if (first) {
                                first = false;
                                bothStarted.countDown();
                                try {
                                    assertTrue(bothStarted.await(60, TimeUnit.SECONDS));
                                } catch (InterruptedException e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                            return it.next();
                        }
                    };
                    writers.add(pool.submit(() -> sink.write(name, creditSchema, meeting, WriteOptions.create())));
                }
                List<WriteReport> won = new ArrayList<>();
                int lost = 0;
                for (Future<WriteReport> f : writers) {
                    try {
                        won.add(f.get(120, TimeUnit.SECONDS));
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertTrue(e.getCause() instanceof DatasetExistsException, String.valueOf(e.getCause()));
                        lost++;
                    }
                }
                assertEquals(1, won.size(), "one CREATE wins");
                assertEquals(1, lost, "the other is told the dataset exists");
                assertEquals(won.get(0).rows(), read(reopen(), name).size(), "the winner's rows are the dataset");
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(Set.of(), hidden(stored(), "race/"), "the loser left no temporary file");
        assertEquals(6, stored().stream().filter(n -> n.startsWith("race/")).count(),
                "three datasets and their three schema records, none of a loser: " + stored());
    }

    /** Names under {@code folder} other than its datasets and their current schema records. */
    Set<String> hidden(Set<String> names, String folder) {
        Set<String> out = new java.util.TreeSet<>();
        for (String n : names) {
            String last = n.substring(n.lastIndexOf('/') + 1);
            if (n.startsWith(folder) && last.startsWith(".") && !last.endsWith(".schema.json")) {
                out.add(n);
            }
        }
        return out;
    }

    @Test
    void replaceReplacesAtomically() throws Exception {
        DataSink sink = sink();
        String name = "swap/credit.csv.gz";
        List<Row> a = credit;
        List<Row> b = credit.subList(0, 100);
        WriteReport first = sink.write(name, creditSchema, a.iterator(), WriteOptions.replace());
        assertEquals(4454, first.rows(), "REPLACE creates a missing dataset");

        // A pass opened before a REPLACE reads the version it started on, whole
        try (RowCursor c = sink.read(name, Query.all()).open()) {
            List<Row> seen = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                seen.add(c.next());
            }
            sink.write(name, creditSchema, b.iterator(), WriteOptions.replace());
            c.forEachRemaining(seen::add);
            assertEquals(a, seen);
        }
        assertEquals(b, read(sink, name));
        assertEquals(b, read(reopen(), name));

        // Readers while a writer swaps the versions: each read is one version, whole, or a clear "changed" failure
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Throwable> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            DataSink other;
            try {
                other = reopen();
            } catch (Exception e) {
                wrong.add(e);
                return;
            }
            while (writing.get()) {
                for (DataSource s : List.of(sink, other)) {
                    try {
                        List<Row> got = read(s, name);
                        if (!got.equals(a) && !got.equals(b)) {
                            wrong.add(new AssertionError("a read of " + got.size() + " rows is neither version"));
                        }
                        sizes.add(got.size());
                    } catch (UncheckedIOException e) {
                        if (!String.valueOf(e.getMessage() + e.getCause()).contains("changed")) {
                            wrong.add(e);
                        }
                    } catch (Exception | AssertionError e) {
                        wrong.add(e);
                    }
                }
            }
        });
        reader.start();
        try {
            for (int i = 0; i < 8; i++) {
                WriteReport r = sink.write(name, creditSchema, (i % 2 == 0 ? a : b).iterator(), WriteOptions.replace());
                assertEquals(i % 2 == 0 ? 4454 : 100, r.rows());
            }
        } finally {
            writing.set(false);
            reader.join(120_000);
        }
        assertEquals(List.of(), wrong);
        assertFalse(sizes.isEmpty(), "the reader read");
        assertEquals(b, read(reopen(), name), "the last REPLACE is the dataset");
        assertEquals(Set.of(), hidden(stored(), "swap/"), "no temporary file is left");
        assertEquals(1, stored().stream().filter(n -> n.startsWith("swap/.credit.csv.gz.")).count(),
                "one schema record, the current version's: " + stored());
    }

    @Test
    void hostileNamesAreRefusedBeforeAnythingIsWritten() throws Exception {
        DataSink sink = sink();
        Set<String> inside = stored();
        Set<String> around = outside();
        for (String bad : List.of("../escape.csv", "a/../../escape.csv", "/tmp/escape.csv", "//escape.csv", "..",
                "a/./b.csv", "a//b.csv", ".hidden.csv", "a/.b.csv.1-2.schema.json", "..\\escape.csv", "C:/escape.csv",
                "x\u0000.csv", "x\r\nHost: evil.csv", "notes.txt", "no-format", "", " ")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> sink.write(bad, TYPED, typedRows().iterator(), WriteOptions.replace()), bad);
            if (!bad.isBlank()) {
                String shown = bad.replace("\u0000", "\\u0000").replace("\r", "\\u000d").replace("\n", "\\u000a");
                assertTrue(e.getMessage().contains("'" + shown + "'"), "the message names the dataset: " + e.getMessage());
            }
        }
        assertEquals(inside, stored());
        assertEquals(around, outside());
    }

    @Test
    void aWriteThatFailsHalfWayLeavesNothingVisible() throws Exception {
        DataSink sink = sink();
        sink.write("fail/kept.csv", creditSchema, credit.subList(0, 50).iterator(), WriteOptions.create());
        Set<String> before = stored();
        List<String> listed = names(sink);
        for (String name : List.of("fail/new.csv", "fail/new.jsonl.gz", "fail/kept.csv")) {
            IllegalStateException boom = new IllegalStateException("labeller crashed after 1000 rows");
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> sink.write(name, creditSchema,
                    failingAfter(credit, 1000, boom), WriteOptions.replace()));
            assertSame(boom, thrown, "the iterator's exception comes out unchanged");
            assertEquals(before, stored(), name + ": no temporary file, record or data is left");
            assertEquals(listed, names(sink));
        }
        assertThrows(UnknownDatasetException.class, () -> sink.schema("fail/new.csv"));
        assertThrows(UnknownDatasetException.class, () -> reopen().read("fail/new.jsonl.gz", Query.all()));
        assertEquals(credit.subList(0, 50), read(reopen(), "fail/kept.csv"), "a failed REPLACE keeps the old version");

        // A row that does not match the schema, found half way: refused naming the row, nothing written
        List<Row> bad = new ArrayList<>(credit.subList(0, 600));
        Object[] v = bad.get(499).values();
        v[creditSchema.indexOf("Age")] = 30; // an Integer where INT means Long
        bad.set(499, new Row(creditSchema, v));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sink.write("fail/bad.csv", creditSchema, bad.iterator(), WriteOptions.create()));
        assertTrue(e.getMessage().contains("row 500") && e.getMessage().contains("'Age'") && e.getMessage().contains("'fail/bad.csv'"),
                e.getMessage());
        assertEquals(before, stored());
        Schema vector = Schema.of(Field.of("v", DataType.VECTOR));
        assertThrows(IllegalArgumentException.class, () -> sink.write("fail/v.csv", vector, List.<Row>of().iterator(),
                WriteOptions.create()));
        assertEquals(before, stored());
        assertNotEquals(List.of(), listed);
    }
}
