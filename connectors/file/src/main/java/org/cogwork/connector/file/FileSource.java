package org.cogwork.connector.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cogwork.api.connector.DataSink;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.connector.DataSourceException;
import org.cogwork.api.connector.DatasetExistsException;
import org.cogwork.api.connector.DatasetInfo;
import org.cogwork.api.connector.UnknownDatasetException;
import org.cogwork.api.connector.WriteOptions;
import org.cogwork.api.connector.WriteReport;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.query.Query;
import org.cogwork.connector.support.BoundQuery;
import org.cogwork.connector.support.ChangeWatcher;
import org.cogwork.connector.support.DatasetWriter;
import org.cogwork.connector.support.SchemaRecord;
import org.cogwork.connector.support.RefreshEvents;
import org.cogwork.connector.support.Formats;
import org.cogwork.connector.support.OnError;
import org.cogwork.connector.support.TextFormat;
import org.cogwork.connector.support.TypeInference;
import org.cogwork.api.security.DataRoots;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data source over a file or a folder of CSV / JSON Lines files. Dataset names are paths relative to the
 * folder (or the file name). Reads stream from disk; schemas are inferred once per file version.
 *
 * <p>A source on a folder is also a {@link DataSink}: a dataset is written to a hidden temporary file in its
 * folder, forced to disk, then published by one rename ({@code REPLACE}) or one hard link, which fails if the name
 * exists ({@code CREATE}); a failed write deletes the temporary file. The schema written is kept in a hidden
 * {@link SchemaRecord} named after the file's size and modification time, written before the data is published,
 * so the dataset reads back with that schema (it wins over the {@code types} overrides). A source on a single
 * file writes nothing.
 */
@Component(service = {DataSource.class, DataSink.class}, configurationPid = FileSourceConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = DataSource.SOURCE_KIND + "=file")
@Designate(ocd = FileSourceConfig.class, factory = true)
public class FileSource implements DataSink {
    private static final Logger LOG = LoggerFactory.getLogger(FileSource.class);
    private static final int MAX_DEPTH = 3;

    private final String id;
    private final Path root;
    private final Map<String, DataType> overrides;
    private final OnError onError;
    private final int inferRows;
    private final Map<String, CachedSchema> schemas = new ConcurrentHashMap<>();
    private final ChangeWatcher watcher;
    private final RefreshEvents refresh;

    private record CachedSchema(String fingerprint, Schema schema) {
    }

    @Activate
    public FileSource(FileSourceConfig config, @Reference DataRoots roots) {
        this(config, roots.check("path", require(config.path(), "path")));
    }

    /** For use outside OSGi (tests, tools, benchmarks): the folder is taken as it is, with no data roots. */
    public FileSource(FileSourceConfig config) {
        this(config, Path.of(require(config.path(), "path")));
    }

    /** {@code root}: the folder, already checked against the data roots. */
    public FileSource(FileSourceConfig config, Path root) {
        this.id = require(config.cogwork_source_id(), "cogwork.source.id");
        this.root = root.toAbsolutePath().normalize();
        this.overrides = TypeInference.parseOverrides(config.types(), "types");
        this.onError = OnError.parse(config.on_error(), "on.error");
        if (config.infer_rows() < 1) {
            throw new IllegalArgumentException("infer.rows must be >= 1, was " + config.infer_rows());
        }
        this.inferRows = config.infer_rows();
        this.refresh = new RefreshEvents(id, "file");
        this.watcher = config.refresh_interval_seconds() > 0
                ? new ChangeWatcher(id, Duration.ofSeconds(config.refresh_interval_seconds()), this::fingerprints, refresh::refreshed)
                : null;
    }

    private static String require(String v, String field) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return v.trim();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setEvents(EventAdmin events) {
        refresh.bind(events);
    }

    void unsetEvents(EventAdmin events) {
        refresh.unbind(events);
    }

    @Deactivate
    void deactivate() {
        if (watcher != null) {
            watcher.close();
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public List<DatasetInfo> datasets() throws DataSourceException {
        List<DatasetInfo> out = new ArrayList<>();
        for (String name : names()) {
            out.add(new DatasetInfo(name, null));
        }
        return out;
    }

    private List<String> names() throws DataSourceException {
        if (Files.isRegularFile(root)) {
            return List.of(root.getFileName().toString());
        }
        if (!Files.isDirectory(root)) {
            throw new DataSourceException("path " + root + " does not exist or is not readable");
        }
        try (Stream<Path> s = Files.walk(root, MAX_DEPTH)) {
            return s.filter(Files::isRegularFile).filter(p -> Formats.forName(p.getFileName().toString()) != null)
                    .map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new DataSourceException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    private Path file(String dataset) throws DataSourceException {
        Path p = Files.isRegularFile(root) ? (root.getFileName().toString().equals(dataset) ? root : null)
                : root.resolve(dataset).normalize();
        if (p == null || !p.startsWith(root) || !Files.isRegularFile(p)
                || Formats.forName(p.getFileName().toString()) == null) {
            throw new UnknownDatasetException("unknown dataset '" + dataset + "' in source '" + id + "'; datasets are " + names());
        }
        return p;
    }

    @Override
    public Schema schema(String dataset) throws DataSourceException {
        Path f = file(dataset);
        String fp = fingerprint(f);
        CachedSchema cached = schemas.get(dataset);
        if (cached != null && cached.fingerprint().equals(fp)) {
            return cached.schema();
        }
        Schema recorded = recorded(f);
        if (recorded != null) {
            schemas.put(dataset, new CachedSchema(fp, recorded));
            return recorded;
        }
        TextFormat format = Formats.forName(f.getFileName().toString());
        try (InputStream in = Files.newInputStream(f)) {
            Schema s = format.infer(Formats.reader(in, f.getFileName().toString()), inferRows, overrides);
            schemas.put(dataset, new CachedSchema(fp, s));
            return s;
        } catch (IOException e) {
            throw new DataSourceException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Dataset read(String dataset, Query query) throws DataSourceException {
        Path f = file(dataset);
        Schema schema = schema(dataset);
        BoundQuery bound = BoundQuery.bind(query, schema);
        TextFormat format = Formats.forName(f.getFileName().toString());
        return new Dataset() {
            @Override
            public Schema schema() {
                return bound.outputSchema();
            }

            @Override
            public RowCursor open() {
                try {
                    InputStream in = Files.newInputStream(f);
                    return bound.apply(format.open(Formats.reader(in, f.getFileName().toString()), schema, onError));
                } catch (NoSuchFileException e) {
                    throw new UncheckedIOException("file " + f + " disappeared", e);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + f, e);
                }
            }
        };
    }

    @Override
    public void test() throws DataSourceException {
        if (!Files.isReadable(root)) {
            throw new DataSourceException("path " + root + " does not exist or is not readable");
        }
        if (names().isEmpty()) {
            throw new DataSourceException("folder " + root + " holds no .csv, .jsonl or .ndjson files");
        }
    }

    /** The schema {@code f} was written with by {@link #write}, or {@code null} when this version has no record. */
    private static Schema recorded(Path f) {
        Path record;
        try {
            record = f.resolveSibling(SchemaRecord.sidecar(f.getFileName().toString(), token(f)));
            if (!Files.isRegularFile(record)) {
                return null;
            }
            return SchemaRecord.decode(Files.readAllBytes(record));
        } catch (IOException e) {
            LOG.warn("Ignoring the schema record of {} (the schema is inferred): {}", f, e.getMessage());
            return null;
        }
    }

    /** One version of a file: its size and modification time in nanoseconds (a rename keeps both). */
    private static String token(Path f) throws IOException {
        return Files.size(f) + "-" + Files.getLastModifiedTime(f).to(TimeUnit.NANOSECONDS);
    }

    @Override
    public WriteReport write(String dataset, Schema schema, Iterator<? extends Row> rows, WriteOptions options)
            throws DataSourceException {
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(options, "options");
        if (!Files.isDirectory(root)) {
            throw new DataSourceException("source '" + id + "' is " + (Files.isRegularFile(root) ? "the single file "
                    : "the missing path ") + root + ": only a source on a folder can write datasets; cannot write '"
                    + dataset + "'");
        }
        DatasetWriter.checkName(dataset);
        DatasetWriter.checkSchema(dataset, schema);
        if (dataset.split("/").length > MAX_DEPTH) {
            throw new IllegalArgumentException("dataset name '" + dataset + "' is more than " + MAX_DEPTH
                    + " levels deep: the source would not list it");
        }
        Path target = root.resolve(dataset).normalize();
        if (!target.startsWith(root) || target.equals(root)) { // checkName already refuses such names: belt and braces
            throw new IllegalArgumentException("dataset name '" + dataset + "' is outside the folder of source '" + id + "'");
        }
        boolean create = options.mode() == WriteOptions.Mode.CREATE;
        Path dir = target.getParent();
        String name = target.getFileName().toString();
        Path tmp = dir.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
        Path record = null;
        boolean published = false;
        try {
            // a symbolic link on the way must not lead out of the source's folder: checked on the deepest folder that
            // exists before anything is looked up or created, and again once the folders exist
            checkInside(existingAncestor(dir), dataset);
            if (create && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw exists(dataset);
            }
            Files.createDirectories(dir);
            checkInside(dir, dataset);
            DatasetWriter.Result written;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                written = DatasetWriter.write(Channels.newOutputStream(ch), dataset, schema, rows);
                ch.force(true);
            }
            String token = distinctVersion(tmp, target);
            record = dir.resolve(SchemaRecord.sidecar(name, token));
            try (FileChannel ch = FileChannel.open(record, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(SchemaRecord.encode(schema)));
                ch.force(true);
            }
            publish(tmp, target, create, dataset);
            published = true;
            syncFolder(dir);
            dropOtherRecords(dir, name, record.getFileName().toString());
            schemas.put(dataset, new CachedSchema(fingerprint(target), schema));
            LOG.info("Source {}: wrote {} ({} rows, {} bytes)", id, dataset, written.rows(), written.bytes());
            return new WriteReport(dataset, written.rows(), written.bytes(), written.sha256(), token);
        } catch (IOException e) {
            throw new DataSourceException("cannot write dataset '" + dataset + "' of source '" + id + "' in " + dir + ": "
                    + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
            if (!published && record != null) {
                deleteQuietly(record);
            }
        }
    }

    private void checkInside(Path folder, String dataset) throws IOException {
        if (!folder.toRealPath().startsWith(root.toRealPath())) {
            throw new IllegalArgumentException("dataset name '" + dataset + "' leads outside the folder of source '"
                    + id + "' through a symbolic link");
        }
    }

    private Path existingAncestor(Path dir) {
        Path p = dir;
        while (p != null && !p.equals(root) && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? root : p;
    }

    /**
     * The version token of the written file {@code tmp}, made to differ from the current version of {@code target}:
     * with a coarse clock two writes of the same size could otherwise share a version (and a schema record).
     */
    private static String distinctVersion(Path tmp, Path target) throws IOException {
        if (Files.isRegularFile(target) && Files.size(target) == Files.size(tmp)) {
            FileTime old = Files.getLastModifiedTime(target);
            if (Files.getLastModifiedTime(tmp).toMillis() <= old.toMillis()) {
                Files.setLastModifiedTime(tmp, FileTime.fromMillis(old.toMillis() + 1));
            }
        }
        return token(tmp);
    }

    /** Makes {@code tmp} visible as {@code target}, atomically. */
    private void publish(Path tmp, Path target, boolean create, String dataset) throws IOException {
        if (!create) {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        // rename(2) replaces silently; link(2) fails when the name exists, so a concurrent CREATE cannot be lost
        try {
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            throw exists(dataset);
        } catch (UnsupportedOperationException | FileSystemException e) {
            // no hard links on this file system: a move that refuses an existing target (checked, then renamed)
            try {
                Files.move(tmp, target);
            } catch (FileAlreadyExistsException e2) {
                throw exists(dataset);
            }
        }
    }

    private DatasetExistsException exists(String dataset) {
        return new DatasetExistsException("dataset '" + dataset + "' already exists in source '" + id
                + "'; write it with mode REPLACE to replace it, or choose another name");
    }

    /** Makes the rename durable; not every platform can open a folder (Windows), and then the OS decides. */
    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // best effort
        }
    }

    private static void dropOtherRecords(Path dir, String name, String keep) {
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return !n.equals(keep) && SchemaRecord.isSidecarOf(n, name);
            }).forEach(FileSource::deleteQuietly);
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("Cannot tidy the schema records of {} in {}: {}", name, dir, e.getMessage());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}", p, e.getMessage());
        }
    }

    private Map<String, String> fingerprints() throws DataSourceException {
        Map<String, String> out = new java.util.HashMap<>();
        for (String name : names()) {
            out.put(name, fingerprint(file(name)));
        }
        return out;
    }

    private static String fingerprint(Path f) throws DataSourceException {
        try {
            return Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis();
        } catch (IOException e) {
            throw new DataSourceException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

}
