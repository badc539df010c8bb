package org.cogwork.connector.s3;

import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import org.cogwork.api.artifact.ArtifactStorage;
import org.cogwork.api.security.SecretBox;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An {@link ArtifactStorage} in an S3 or S3-compatible bucket, one per factory configuration
 * {@value S3ArtifactStorageConfig#PID}. Objects live at {@code <prefix><key>}; a put is a single PutObject (atomic:
 * readers see the old object or the whole new one).
 *
 * <p>The service is registered by hand rather than by DS so that its {@link ArtifactStorage#ARTIFACT_STORAGE}
 * property carries the configuration's {@code name} (DS would publish it as {@code name}). As in {@link S3Source},
 * every SDK call runs with this bundle's class loader as the TCCL, and the secret key goes into the credentials
 * provider only.
 */
@Component(name = "org.cogwork.artifacts.s3", service = {}, configurationPid = S3ArtifactStorageConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = S3ArtifactStorageConfig.class, factory = true)
public class S3ArtifactStorage implements ArtifactStorage {
    private static final Logger LOG = LoggerFactory.getLogger(S3ArtifactStorage.class);

    private final String name;
    private final String bucket;
    private final String prefix;
    private final S3Client s3;
    private ServiceRegistration<ArtifactStorage> registration;

    @Activate
    public S3ArtifactStorage(BundleContext ctx, S3ArtifactStorageConfig config, @Reference SecretBox box) {
        this(box.opened(S3ArtifactStorageConfig.class, config, "access_key", "secret_key"));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ARTIFACT_STORAGE, name);
        registration = ctx.registerService(ArtifactStorage.class, this, props);
    }

    /** For use outside OSGi (tests, tools): not registered anywhere. */
    public S3ArtifactStorage(S3ArtifactStorageConfig config) {
        this.name = require(config.name(), "name");
        this.bucket = require(config.bucket(), "bucket");
        if (bucket.contains("/")) {
            throw new IllegalArgumentException("bucket must be a bucket name without '/', was '" + bucket + "'; put the folder into prefix");
        }
        String p = config.prefix() == null ? "" : config.prefix().trim();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        this.prefix = p.isEmpty() || p.endsWith("/") ? p : p + "/";
        if (config.timeout_seconds() < 1) {
            throw new IllegalArgumentException("timeout.seconds must be >= 1, was " + config.timeout_seconds());
        }
        URI endpoint = endpoint(config.endpoint());
        String region = require(config.region(), "region");
        AwsCredentialsProvider credentials = credentials(config.access_key(), config.secret_key());
        Duration timeout = Duration.ofSeconds(config.timeout_seconds());
        this.s3 = withBundleLoader(() -> {
            S3ClientBuilder b = S3Client.builder()
                    .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout).build())
                    .region(Region.of(region)).credentialsProvider(credentials).forcePathStyle(config.path_style())
                    .overrideConfiguration(o -> o.apiCallTimeout(timeout));
            if (endpoint != null) {
                // see S3Source: S3-compatible stores often reject the SDK's default CRC trailers
                b.endpointOverride(endpoint).requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
            }
            return b.build();
        });
        LOG.info("S3 artifact storage {} at s3://{}/{}{}", name, bucket, prefix, endpoint == null ? "" : " (" + endpoint + ")");
    }

    @Deactivate
    public void close() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            registration = null;
        }
        withBundleLoader(() -> {
            s3.close();
            return null;
        });
    }

    private static String require(String v, String field) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return v.trim();
    }

    private static URI endpoint(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            URI uri = URI.create(value.trim());
            if (uri.getScheme() != null && List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT)) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // below
        }
        throw new IllegalArgumentException("endpoint must be an http(s) URL such as http://127.0.0.1:9000, was '" + value + "'");
    }

    private static AwsCredentialsProvider credentials(String accessKey, String secretKey) {
        boolean hasAccess = accessKey != null && !accessKey.isBlank();
        boolean hasSecret = secretKey != null && !secretKey.isEmpty();
        if (hasAccess != hasSecret) {
            throw new IllegalArgumentException(hasAccess ? "secret.key is required when access.key is set"
                    : "access.key is required when secret.key is set");
        }
        if (hasAccess) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey.trim(), secretKey));
        }
        return AwsCredentialsProviderChain.builder()
                .credentialsProviders(DefaultCredentialsProvider.builder().build(), AnonymousCredentialsProvider.create()).build();
    }

    private interface SdkCall<T> {
        T run() throws IOException;
    }

    private static <T> T withBundleLoader(SdkCall<T> c) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(S3ArtifactStorage.class.getClassLoader());
        try {
            return c.run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    private String where(String key) {
        return "s3://" + bucket + "/" + prefix + key;
    }

    private <T> T call(String key, String what, SdkCall<T> c) throws IOException {
        try {
            return withBundleLoader(c);
        } catch (NoSuchKeyException e) {
            throw new FileNotFoundException(where(key) + " does not exist");
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new FileNotFoundException(where(key) + " does not exist");
            }
            throw new IOException("cannot " + what + " " + where(key) + ": " + e.awsErrorDetails().errorMessage(), e);
        } catch (SdkException e) {
            throw new IOException("cannot " + what + " " + where(key) + ": " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void put(String key, InputStream content, long length) throws IOException {
        try (Upload upload = Upload.of(content, length)) { // a body the SDK can send again when it retries
            call(key, "write", () -> s3.putObject(p -> p.bucket(bucket).key(prefix + key).contentLength(length), upload.body));
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        InputStream in = call(key, "read", () -> s3.getObject(g -> g.bucket(bucket).key(prefix + key)));
        return new FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (SdkException e) {
                    throw new IOException("cannot read " + where(key) + ": " + e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public boolean exists(String key) throws IOException {
        try {
            call(key, "look up", () -> s3.headObject(h -> h.bucket(bucket).key(prefix + key)));
            return true;
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    @Override
    public void delete(String key) throws IOException {
        call(key, "delete", () -> s3.deleteObject(d -> d.bucket(bucket).key(prefix + key)));
    }

    @Override
    public String toString() {
        return "S3ArtifactStorage[" + name + ", s3://" + bucket + "/" + prefix + "]";
    }
}
