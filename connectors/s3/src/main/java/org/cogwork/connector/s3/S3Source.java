package org.cogwork.connector.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
import org.cogwork.api.security.SecretBox;
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
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A data source over the CSV / JSON Lines objects (optionally gzipped) under a prefix of an S3 or
 * S3-compatible bucket. Dataset names are object keys relative to the prefix. Every read streams a fresh
 * GetObject, so memory stays constant whatever the object's size; schemas are inferred once per ETag.
 *
 * <p>The AWS SDK is embedded in this bundle and never exported. The SDK finds some of its parts (execution
 * interceptors, profile files) through the thread context class loader, which Felix leaves to whoever owns
 * the calling thread; every SDK call therefore runs with this bundle's class loader as the TCCL
 * ({@link #call}). The HTTP client is given explicitly, so the SDK never looks one up with ServiceLoader.
 *
 * <p>Secrets: {@code access.key} and {@code secret.key} are declared passwords: the runtime seals them at rest
 * ({@code {enc}...}), the activating constructor opens them, and they go into the credentials provider and nowhere
 * else (not in logs, messages or {@link #toString()}).
 *
 * <p>Also a {@link DataSink}: rows are encoded into a local temporary file (so memory stays bounded and the length is
 * known), then published by one PutObject, which S3 makes visible whole or not at all ({@code CREATE} adds
 * {@code If-None-Match: *}, so a concurrent writer of the name cannot be overwritten). The schema written goes first
 * into a hidden {@link SchemaRecord} object whose random token the data object carries in its metadata
 * ({@value #SCHEMA_META}), so a reader pairs each version of the data with its own schema. One PutObject holds at
 * most 5 GB.
 */
@Component(service = {DataSource.class, DataSink.class}, configurationPid = S3SourceConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = DataSource.SOURCE_KIND + "=s3")
@Designate(ocd = S3SourceConfig.class, factory = true)
public class S3Source implements DataSink {
    private static final Logger LOG = LoggerFactory.getLogger(S3Source.class);
    /** User metadata of a written object: the token of its {@link SchemaRecord}. */
    static final String SCHEMA_META = "cogwork-schema";

    private final String id;
    private final String bucket;
    private final String prefix;
    private final String where;
    private final String endpointName;
    private final Map<String, DataType> overrides;
    private final OnError onError;
    private final int inferRows;
    private final int timeoutSeconds;
    private final S3Client s3;
    private final Map<String, CachedSchema> schemas = new ConcurrentHashMap<>();
    private final ChangeWatcher watcher;
    private final RefreshEvents refresh;

    private record CachedSchema(String etag, Schema schema) {
    }

    @Activate
    public S3Source(S3SourceConfig config, @Reference SecretBox box) {
        this(box.opened(S3SourceConfig.class, config, "access_key", "secret_key"));
    }

    /** For use outside OSGi (tests, tools): {@code config} holds the secret in clear. */
    public S3Source(S3SourceConfig config) {
        this.id = require(config.cogwork_source_id(), "cogwork.source.id");
        this.bucket = require(config.bucket(), "bucket");
        if (bucket.contains("/")) {
            throw new IllegalArgumentException("bucket must be a bucket name without '/', was '" + bucket
                    + "'; put the folder into prefix");
        }
        this.prefix = folder(config.prefix());
        this.overrides = TypeInference.parseOverrides(config.types(), "types");
        this.onError = OnError.parse(config.on_error(), "on.error");
        if (config.infer_rows() < 1) {
            throw new IllegalArgumentException("infer.rows must be >= 1, was " + config.infer_rows());
        }
        this.inferRows = config.infer_rows();
        if (config.timeout_seconds() < 1) {
            throw new IllegalArgumentException("timeout.seconds must be >= 1, was " + config.timeout_seconds());
        }
        this.timeoutSeconds = config.timeout_seconds();
        URI endpoint = endpoint(config.endpoint());
        String region = require(config.region(), "region");
        this.endpointName = endpoint != null ? endpoint.toString() : "Amazon S3 (" + region + ")";
        this.where = "s3://" + bucket + "/" + prefix + " at " + endpointName;
        AwsCredentialsProvider credentials = credentials(config.access_key(), config.secret_key());
        this.s3 = withBundleLoader(() -> client(endpoint, region, config.path_style(), credentials));
        this.refresh = new RefreshEvents(id, "s3");
        this.watcher = config.refresh_interval_seconds() > 0
                ? new ChangeWatcher(id, Duration.ofSeconds(config.refresh_interval_seconds()), this::listing, refresh::refreshed)
                : null;
        LOG.info("S3 source {} on {}", id, where);
    }

    private S3Client client(URI endpoint, String region, boolean pathStyle, AwsCredentialsProvider credentials) {
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        S3ClientBuilder b = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout).build())
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                .overrideConfiguration(o -> o.apiCallTimeout(timeout));
        if (endpoint != null) {
            // Since 2.30 the SDK adds CRC trailers (aws-chunked uploads) by default, which many S3-compatible
            // stores reject; against Amazon S3 the default stays.
            b.endpointOverride(endpoint)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return b.build();
    }

    private static AwsCredentialsProvider credentials(String accessKey, String secretKey) {
        boolean hasAccess = accessKey != null && !accessKey.isBlank();
        boolean hasSecret = secretKey != null && !secretKey.isEmpty();
        if (hasAccess && !hasSecret) {
            throw new IllegalArgumentException("secret.key is required when access.key is set");
        }
        if (!hasAccess && hasSecret) {
            throw new IllegalArgumentException("access.key is required when secret.key is set");
        }
        if (hasAccess) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey.trim(), secretKey));
        }
        // Environment, profile files or an instance role when there are any; public buckets otherwise.
        return AwsCredentialsProviderChain.builder()
                .credentialsProviders(DefaultCredentialsProvider.builder().build(), AnonymousCredentialsProvider.create())
                .build();
    }

    private static URI endpoint(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("endpoint must be an http(s) URL such as http://127.0.0.1:9000, was '" + value + "'");
        }
        if (uri.getScheme() == null || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("endpoint must be an http(s) URL such as http://127.0.0.1:9000, was '" + value + "'");
        }
        return uri;
    }

    /** "" or a folder ending in '/', so that prefix "data" does not also match "database.csv". */
    private static String folder(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            return "";
        }
        String p = prefix.trim();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p.isEmpty() || p.endsWith("/") ? p : p + "/";
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
        withBundleLoader(() -> {
            s3.close();
            return null;
        });
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String kind() {
        return "s3";
    }

    @Override
    public String toString() {
        return "S3Source[" + id + ", " + where + "]";
    }

    @Override
    public List<DatasetInfo> datasets() throws DataSourceException {
        List<DatasetInfo> out = new ArrayList<>();
        for (String name : listing().keySet()) {
            out.add(new DatasetInfo(name, null));
        }
        return out;
    }

    /** Dataset name → ETag of every object under the prefix in a format we read, sorted by name. */
    private Map<String, String> listing() throws DataSourceException {
        return call("cannot list " + where, () -> {
            Map<String, String> out = new TreeMap<>();
            ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build();
            for (S3Object o : s3.listObjectsV2Paginator(req).contents()) {
                String name = o.key().substring(prefix.length());
                if (!name.isEmpty() && !name.endsWith("/") && Formats.forName(name) != null) {
                    out.put(name, o.eTag());
                }
            }
            return out;
        });
    }

    private UnknownDatasetException unknown(String dataset) throws DataSourceException {
        return new UnknownDatasetException("unknown dataset '" + dataset + "' in source '" + id + "'; datasets are "
                + listing().keySet());
    }

    /**
     * The format of {@code dataset}, or an {@link UnknownDatasetException} when its name is not one we read.
     * Names with '.' or '..' segments are refused: HTTP clients normalise them away, which would reach objects
     * outside the prefix.
     */
    private TextFormat format(String dataset) throws DataSourceException {
        TextFormat f = dataset == null || !isRelativeKey(dataset) ? null : Formats.forName(dataset);
        if (f == null) {
            throw unknown(dataset);
        }
        return f;
    }

    @Override
    public Schema schema(String dataset) throws DataSourceException {
        return schemaOf(dataset).schema();
    }

    private CachedSchema schemaOf(String dataset) throws DataSourceException {
        TextFormat format = format(dataset);
        String key = prefix + dataset;
        for (int attempt = 0; attempt < 2; attempt++) {
            HeadObjectResponse head = objectCall(dataset, () -> s3.headObject(h -> h.bucket(bucket).key(key)));
            CachedSchema cached = schemas.get(dataset);
            if (cached != null && cached.etag().equals(head.eTag())) {
                return cached;
            }
            String token = head.metadata().get(SCHEMA_META);
            if (!SchemaRecord.isToken(token)) {
                break;
            }
            Schema recorded = recorded(dataset, token);
            if (recorded != null) {
                CachedSchema fresh = new CachedSchema(head.eTag(), recorded);
                schemas.put(dataset, fresh);
                return fresh;
            }
            // no record: written by other means, or replaced (with a new record) since the HEAD: look again once
        }
        ResponseInputStream<GetObjectResponse> in = objectCall(dataset, () -> s3.getObject(g -> g.bucket(bucket).key(key)));
        String written = in.response().metadata().get(SCHEMA_META);
        if (SchemaRecord.isToken(written)) { // written through write() since the HEAD
            in.abort();
            Schema recorded = recorded(dataset, written);
            if (recorded != null) {
                CachedSchema fresh = new CachedSchema(in.response().eTag(), recorded);
                schemas.put(dataset, fresh);
                return fresh;
            }
            in = objectCall(dataset, () -> s3.getObject(g -> g.bucket(bucket).key(key)));
        }
        try {
            Schema s = format.infer(Formats.reader(new Aborting(in), key), inferRows, overrides);
            CachedSchema fresh = new CachedSchema(in.response().eTag(), s);
            schemas.put(dataset, fresh);
            return fresh;
        } catch (IOException | SdkException e) {
            in.abort(); // e.g. a .gz object that is not gzip fails before the reader owns the stream
            throw new DataSourceException("cannot read s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Dataset read(String dataset, Query query) throws DataSourceException {
        CachedSchema cs = schemaOf(dataset);
        Schema schema = cs.schema();
        BoundQuery bound = BoundQuery.bind(query, schema);
        TextFormat format = format(dataset);
        String key = prefix + dataset;
        GetObjectRequest get = GetObjectRequest.builder().bucket(bucket).key(key).ifMatch(cs.etag()).build();
        return new Dataset() {
            @Override
            public Schema schema() {
                return bound.outputSchema();
            }

            /**
             * A new GET per pass. If-Match pins every pass to the object version the schema was inferred
             * from: passes of one training run never mix two versions of the data.
             */
            @Override
            public RowCursor open() {
                ResponseInputStream<GetObjectResponse> in;
                try {
                    in = call("cannot read s3://" + bucket + "/" + key, () -> s3.getObject(get));
                } catch (DataSourceException e) {
                    throw new UncheckedIOException(new IOException(e.getMessage(), e));
                }
                try {
                    return bound.apply(format.open(Formats.reader(new Aborting(in), key), schema, onError));
                } catch (IOException e) {
                    in.abort();
                    throw new UncheckedIOException("cannot read s3://" + bucket + "/" + key, e);
                }
            }
        };
    }

    @Override
    public void test() throws DataSourceException {
        call("bucket check failed", () -> s3.headBucket(h -> h.bucket(bucket)));
        if (listing().isEmpty()) {
            throw new DataSourceException(where + " holds no .csv, .jsonl or .ndjson objects");
        }
    }

    /**
     * Writes (creates or replaces) the object {@code dataset} (a key relative to the prefix) from
     * {@code length} bytes of {@code data}, which the caller closes. Meant for components that produce data,
     * such as labelled examples from active learning.
     *
     * @return the new object's ETag
     */
    public String write(String dataset, InputStream data, long length) throws DataSourceException {
        checkWritableName(dataset);
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, was " + length);
        }
        String etag;
        try (Upload upload = Upload.of(data, length)) { // a body the SDK can send again when it retries
            etag = put(prefix + dataset, contentType(dataset), upload.body, length, Map.of(), false);
        } catch (IOException e) {
            throw new DataSourceException("cannot write s3://" + bucket + "/" + prefix + dataset + ": " + e.getMessage(), e);
        }
        schemas.remove(dataset);
        LOG.info("Source {}: wrote {} ({} bytes)", id, dataset, length);
        return etag;
    }

    /**
     * One PutObject of {@code length} bytes; with {@code ifAbsent} it throws the {@link S3Exception} of a 412 when the
     * key exists, or of a 501 when the store has no conditional writes. Returns the ETag.
     */
    private String put(String key, String contentType, RequestBody body, long length, Map<String, String> metadata,
                       boolean ifAbsent) throws DataSourceException {
        // The call timeout covers the upload itself: allow the configured time plus 1 s per MB (a stalled
        // connection is still caught by the socket timeout).
        Duration budget = Duration.ofSeconds(timeoutSeconds).plusMillis(length / 1000);
        PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(bucket).key(key).contentLength(length)
                .contentType(contentType).metadata(metadata).overrideConfiguration(o -> o.apiCallTimeout(budget));
        if (ifAbsent) {
            req.ifNoneMatch("*");
        }
        PutObjectRequest request = req.build();
        try {
            return withBundleLoader(() -> s3.putObject(request, body).eTag());
        } catch (S3Exception e) {
            if (ifAbsent && (e.statusCode() == 412 || e.statusCode() == 501)) {
                throw e; // exists, or no conditional writes here: the caller decides
            }
            throw failure("cannot write s3://" + bucket + "/" + key, e);
        } catch (SdkException e) {
            throw failure("cannot write s3://" + bucket + "/" + key, e);
        }
    }

    @Override
    public WriteReport write(String dataset, Schema schema, Iterator<? extends Row> rows, WriteOptions options)
            throws DataSourceException {
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(options, "options");
        DatasetWriter.checkName(dataset);
        DatasetWriter.checkSchema(dataset, schema);
        boolean create = options.mode() == WriteOptions.Mode.CREATE;
        String key = prefix + dataset;
        HeadObjectResponse before = headOrNull(key);
        if (create && before != null) {
            throw exists(dataset);
        }
        String token = UUID.randomUUID().toString();
        String recordKey = recordKey(dataset, token);
        Path spool = null;
        boolean recordWritten = false;
        boolean published = false;
        try {
            spool = Files.createTempFile("cogwork-s3-write-", ".part");
            DatasetWriter.Result written;
            try (OutputStream out = Files.newOutputStream(spool)) {
                written = DatasetWriter.write(out, dataset, schema, rows);
            }
            byte[] record = SchemaRecord.encode(schema);
            put(recordKey, "application/json", RequestBody.fromBytes(record), record.length, Map.of(), false);
            recordWritten = true;
            String etag;
            // from the file, not a stream: the SDK re-reads the body when it retries (a stream cannot be read twice)
            try {
                etag = put(key, contentType(dataset), RequestBody.fromFile(spool), written.bytes(), Map.of(SCHEMA_META, token), create);
            } catch (S3Exception e) {
                if (e.statusCode() != 501) { // 412 from If-None-Match: created since the HEAD
                    // by this very write when the SDK retried a PUT whose first attempt did store it (seen with a
                    // 0-byte body): the object then carries this write's token
                    HeadObjectResponse now = headOrNull(key);
                    if (now == null || !token.equals(now.metadata().get(SCHEMA_META))) {
                        throw exists(dataset);
                    }
                    LOG.info("Source {}: {} was stored by an earlier attempt of this write (the SDK retried it)", id, dataset);
                    etag = now.eTag();
                    published = true;
                    schemas.put(dataset, new CachedSchema(etag, schema));
                    LOG.info("Source {}: wrote {} ({} rows, {} bytes)", id, dataset, written.rows(), written.bytes());
                    return new WriteReport(dataset, written.rows(), written.bytes(), written.sha256(), etag);
                }
                // a store without conditional writes: CREATE rests on the HEAD above (a concurrent CREATE may win)
                LOG.warn("Source {}: {} does not support conditional writes (If-None-Match); CREATE of {} relies on an "
                        + "existence check", id, endpointName, dataset);
                etag = put(key, contentType(dataset), RequestBody.fromFile(spool), written.bytes(), Map.of(SCHEMA_META, token), false);
            }
            published = true;
            schemas.put(dataset, new CachedSchema(etag, schema));
            String previous = before == null ? null : before.metadata().get(SCHEMA_META);
            if (SchemaRecord.isToken(previous)) {
                deleteQuietly(recordKey(dataset, previous));
            }
            LOG.info("Source {}: wrote {} ({} rows, {} bytes)", id, dataset, written.rows(), written.bytes());
            return new WriteReport(dataset, written.rows(), written.bytes(), written.sha256(), etag);
        } catch (IOException e) {
            throw new DataSourceException("cannot write s3://" + bucket + "/" + key + ": local temporary file: "
                    + e.getMessage(), e);
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException e) {
                    LOG.warn("Cannot delete {}: {}", spool, e.getMessage());
                }
            }
            if (recordWritten && !published) {
                deleteQuietly(recordKey);
            }
        }
    }

    private DatasetExistsException exists(String dataset) {
        return new DatasetExistsException("dataset '" + dataset + "' already exists in source '" + id
                + "'; write it with mode REPLACE to replace it, or choose another name");
    }

    /** The key of the schema record of {@code dataset} in the version {@code token}: a hidden object next to it. */
    private String recordKey(String dataset, String token) {
        int slash = dataset.lastIndexOf('/');
        return prefix + dataset.substring(0, slash + 1) + SchemaRecord.sidecar(dataset.substring(slash + 1), token);
    }

    /** The schema {@code dataset} was written with in version {@code token}, or {@code null} when there is no record. */
    private Schema recorded(String dataset, String token) throws DataSourceException {
        String key = recordKey(dataset, token);
        ResponseBytes<GetObjectResponse> bytes;
        try {
            bytes = withBundleLoader(() -> s3.getObjectAsBytes(g -> g.bucket(bucket).key(key)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
                return null;
            }
            throw failure("cannot read s3://" + bucket + "/" + key, e);
        } catch (SdkException e) {
            throw failure("cannot read s3://" + bucket + "/" + key, e);
        }
        try {
            return SchemaRecord.decode(bytes.asByteArray());
        } catch (IOException e) {
            LOG.warn("Source {}: ignoring the schema record s3://{}/{} (the schema is inferred): {}", id, bucket, key,
                    e.getMessage());
            return null;
        }
    }

    private HeadObjectResponse headOrNull(String key) throws DataSourceException {
        try {
            return withBundleLoader(() -> s3.headObject(h -> h.bucket(bucket).key(key)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
                return null;
            }
            throw failure("cannot read s3://" + bucket + "/" + key, e);
        } catch (SdkException e) {
            throw failure("cannot read s3://" + bucket + "/" + key, e);
        }
    }

    private void deleteQuietly(String key) {
        try {
            withBundleLoader(() -> s3.deleteObject(d -> d.bucket(bucket).key(key)));
        } catch (SdkException e) {
            LOG.warn("Source {}: cannot delete s3://{}/{}: {}", id, bucket, key, explain(e));
        }
    }

    /** {@link #write(String, InputStream, long)} of a byte array. */
    public String write(String dataset, byte[] bytes) throws DataSourceException {
        return write(dataset, new java.io.ByteArrayInputStream(bytes), bytes.length);
    }

    private static void checkWritableName(String dataset) {
        if (dataset == null || dataset.isBlank()) {
            throw new IllegalArgumentException("dataset is required");
        }
        if (!isRelativeKey(dataset)) {
            throw new IllegalArgumentException("dataset must be a relative key such as 'labels/batch-1.csv' with no empty, '.' or '..' segments, was '"
                    + dataset + "'");
        }
    }

    private static boolean isRelativeKey(String name) {
        return !name.isEmpty() && !name.startsWith("/") && !name.endsWith("/") && List.of(name.split("/")).stream()
                .noneMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."));
    }

    private static String contentType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".gz")) {
            return "application/gzip";
        }
        if (n.endsWith(".csv")) {
            return "text/csv; charset=utf-8";
        }
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
            return "application/x-ndjson";
        }
        return "application/octet-stream";
    }


    // ---- SDK calls: bundle class loader as TCCL, SDK failures turned into messages a person can act on ----

    @FunctionalInterface
    private interface SdkCall<T> {
        T run();
    }

    private static <T> T withBundleLoader(SdkCall<T> c) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(S3Source.class.getClassLoader());
        try {
            return c.run();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /** Runs an object call; a missing object is an unknown dataset. */
    private <T> T objectCall(String dataset, SdkCall<T> c) throws DataSourceException {
        try {
            return withBundleLoader(c);
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
                throw unknown(dataset);
            }
            throw failure("cannot read s3://" + bucket + "/" + prefix + dataset, e);
        } catch (SdkException e) {
            throw failure("cannot read s3://" + bucket + "/" + prefix + dataset, e);
        }
    }

    private <T> T call(String what, SdkCall<T> c) throws DataSourceException {
        try {
            return withBundleLoader(c);
        } catch (SdkException e) {
            throw failure(what, e);
        }
    }

    private DataSourceException failure(String what, SdkException e) {
        return new DataSourceException(what + ": " + explain(e), e);
    }

    /** One sentence on what went wrong and what to check; never contains credentials. */
    String explain(SdkException e) {
        if (e instanceof S3Exception s) {
            String code = errorCode(s);
            if (s.statusCode() == 404 && ("NoSuchBucket".equals(code) || code == null || code.isEmpty())) {
                return "bucket '" + bucket + "' not found at " + endpointName;
            }
            if (s.statusCode() == 412) {
                return "the object changed since its schema was read; run the query again";
            }
            if (s.statusCode() == 403 || s.statusCode() == 401) {
                return "access denied to bucket '" + bucket + "' (" + (code == null || code.isEmpty() ? "HTTP " + s.statusCode() : code)
                        + "); check access.key, secret.key and the bucket policy";
            }
            String msg = s.awsErrorDetails() != null ? s.awsErrorDetails().errorMessage() : null;
            return "S3 answered HTTP " + s.statusCode() + (code == null || code.isEmpty() ? "" : " " + code)
                    + (msg == null ? "" : ": " + msg);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException
                || has(e, SocketTimeoutException.class)) {
            return "no answer from " + endpointName + " within " + timeoutSeconds + " s (timeout.seconds)";
        }
        if (has(e, ConnectException.class) || has(e, NoRouteToHostException.class)) {
            Throwable c = cause(e, ConnectException.class);
            if (c == null) {
                c = cause(e, NoRouteToHostException.class);
            }
            return "cannot reach endpoint " + endpointName + ": "
                    + (c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().toLowerCase(Locale.ROOT));
        }
        if (has(e, UnknownHostException.class)) {
            return "cannot reach endpoint " + endpointName + ": unknown host "
                    + cause(e, UnknownHostException.class).getMessage();
        }
        if (e instanceof AbortedException) {
            return "interrupted";
        }
        if (e instanceof SdkClientException && e.getMessage() != null
                && e.getMessage().startsWith("Unable to load credentials")) {
            return "no credentials: set access.key and secret.key, or provide AWS credentials in the environment";
        }
        return e.getMessage();
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        return cause(e, type) != null;
    }

    private static Throwable cause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Closing a response stream before its end would let the HTTP client drain the rest of the object to
     * reuse the connection (a preview of a 10 GB object would download 10 GB); abort instead.
     */
    private static final class Aborting extends FilterInputStream {
        private final ResponseInputStream<?> response;
        private boolean eof;

        Aborting(ResponseInputStream<?> response) {
            super(response);
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            eof |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            eof |= n < 0;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!eof) {
                response.abort();
            }
            super.close();
        }
    }
}
