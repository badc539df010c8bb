package org.cogwork.connector.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.connector.DataSourceException;
import org.cogwork.api.connector.DatasetInfo;
import org.cogwork.api.connector.UnknownDatasetException;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.RowCursor;
import org.cogwork.api.data.Schema;
import org.cogwork.api.query.Query;
import org.cogwork.connector.support.BoundQuery;
import org.cogwork.connector.support.ChangeWatcher;
import org.cogwork.connector.support.RefreshEvents;
import org.cogwork.connector.support.Formats;
import org.cogwork.connector.support.OnError;
import org.cogwork.connector.support.TextFormat;
import org.cogwork.connector.support.TypeInference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;

/**
 * A data source over a file or a folder of CSV / JSON Lines files. Dataset names are paths relative to the
 * folder (or the file name). Reads stream from disk; schemas are inferred once per file version.
 */
@Component(service = DataSource.class, configurationPid = FileSourceConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = DataSource.SOURCE_KIND + "=file")
@Designate(ocd = FileSourceConfig.class, factory = true)
public class FileSource implements DataSource {
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
    public FileSource(FileSourceConfig config) {
        this.id = require(config.cogwork_source_id(), "cogwork.source.id");
        this.root = Path.of(require(config.path(), "path")).toAbsolutePath().normalize();
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
