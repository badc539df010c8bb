package org.cogwork.connector.s3;

import java.net.URI;
import java.time.Duration;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests: S3Proxy with its in-memory blob store on 127.0.0.1 and a free port,
 * checking AWS v2/v4 signatures against one key pair. Plus a plain SDK client to set up buckets and objects.
 */
final class S3Server implements AutoCloseable {
    static final String ACCESS_KEY = "cogwork-test";
    static final String SECRET_KEY = "s3cr3t-Value-never-to-be-shown";

    private final S3Proxy proxy;
    final URI endpoint;
    final S3Client client;

    private S3Server(S3Proxy proxy, URI endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.client = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(10)).build()).build();
    }

    static S3Server start() throws Exception {
        S3Proxy proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return new S3Server(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
    }

    void createBucket(String bucket) {
        client.createBucket(b -> b.bucket(bucket));
    }

    void put(String bucket, String key, byte[] bytes) {
        client.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    /** The connector on {@code bucket}/{@code prefix} of this server, built as its DS component would be. */
    S3Source source(String id, String bucket, String prefix) {
        return new S3Source(org.osgi.util.converter.Converters.standardConverter().convert(java.util.Map.of(
                "cogwork.source.id", id, "bucket", bucket, "prefix", prefix, "endpoint", endpoint.toString(), "path.style", true,
                "access.key", ACCESS_KEY, "secret.key", SECRET_KEY)).to(S3SourceConfig.class));
    }

    @Override
    public void close() throws Exception {
        client.close();
        proxy.stop();
    }
}
