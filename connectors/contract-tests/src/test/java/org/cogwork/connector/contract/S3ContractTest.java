package org.cogwork.connector.contract;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.cogwork.api.connector.DataSource;
import org.cogwork.connector.s3.S3Source;
import org.cogwork.connector.s3.S3SourceConfig;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3 through S3Proxy, a real S3-compatible server started in this JVM (in-memory store): the credit data as a
 * gzipped object, written with the connector's own {@code write}.
 */
class S3ContractTest extends QueryContractTest {
    static final String GZ = "credit/credit_data.csv.gz";
    static S3Proxy proxy;
    static S3Source s3;

    @Override
    DataSource source() throws Exception {
        if (s3 == null) {
            proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "contract", "contract-secret").build();
            proxy.start();
            while (!"STARTED".equals(proxy.getState())) {
                Thread.sleep(10);
            }
            String endpoint = "http://127.0.0.1:" + proxy.getPort();
            S3Source admin = new S3Source(Sources.config(S3SourceConfig.class, Map.of("cogwork.source.id", "s3",
                    "bucket", "lake", "endpoint", endpoint, "path.style", true, "access.key", "contract",
                    "secret.key", "contract-secret")));
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(Files.readAllBytes(Sources.CREDIT));
            }
            try (S3Client client = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                    .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create()).credentialsProvider(
                            StaticCredentialsProvider.create(AwsBasicCredentials.create("contract", "contract-secret"))).build()) {
                client.createBucket(b -> b.bucket("lake"));
            }
            admin.write(GZ, gz.toByteArray());
            s3 = admin;
        }
        return s3;
    }

    @Override
    String dataset() {
        return GZ;
    }

    @AfterAll
    static void close() throws Exception {
        if (proxy != null) {
            proxy.stop();
            proxy = null;
            s3 = null;
        }
    }
}
