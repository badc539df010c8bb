package org.cogwork.registry.internal;

import org.cogwork.persistence.internal.MetadataStore;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.cogwork.api.tracking.Run;
import org.cogwork.connector.s3.S3ArtifactStorage;
import org.cogwork.connector.s3.S3ArtifactStorageConfig;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/** Run artifacts in S3 (the S3 connector's ArtifactStorage) against a real S3-compatible server: S3Proxy, in-process. */
class S3ArtifactsTest {
    static final String ACCESS = "cogwork-test";
    static final String SECRET = "s3cr3t-Value-never-to-be-shown";
    static S3Proxy proxy;
    static S3ArtifactStorage storage;

    @TempDir
    Path data;

    @BeforeAll
    static void startS3() throws Exception {
        proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        storage = new S3ArtifactStorage(Converters.standardConverter().convert(Map.of("name", "lake", "bucket", "artifacts",
                "prefix", "cogwork", "endpoint", "http://127.0.0.1:" + proxy.getPort(), "path.style", true,
                "access.key", ACCESS, "secret.key", SECRET, "timeout.seconds", 10)).to(S3ArtifactStorageConfig.class));
        createBucket();
    }

    static void createBucket() throws Exception {
        software.amazon.awssdk.services.s3.S3Client c = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + proxy.getPort()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(ACCESS, SECRET)))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder().build()).build();
        c.createBucket(b -> b.bucket("artifacts"));
        c.close();
    }

    @AfterAll
    static void stop() throws Exception {
        if (storage != null) {
            storage.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
    }

    @Test
    void roundTripWithChecksums() throws Exception {
        try (MetadataStore store = new MetadataStore(RegistryContractTest.config(Map.of()), data)) {
            Tracking tracker = new Tracking(RegistryContractTest.registryDb(store), data, "lake");
            tracker.storage("lake", storage);
            Run run = tracker.createRun("0", null, null, null);
            byte[] bytes = new byte[300_000];
            new Random(7).nextBytes(bytes);
            String uri = tracker.logArtifact(run.id(), "model/model.zip", new ByteArrayInputStream(bytes));
            assertEquals("cogwork-artifacts:/0/" + run.id() + "/artifacts/model/model.zip", uri);
            String key = "0/" + run.id() + "/artifacts/model/model.zip";
            assertTrue(storage.exists(key));
            try (InputStream in = tracker.openArtifact(run.id(), "model/model.zip")) {
                assertArrayEquals(bytes, in.readAllBytes());
            }
            // nothing went to the local folder
            assertFalse(java.nio.file.Files.exists(data.resolve("artifacts/" + key)));
            // the object replaced behind the registry's back: the checksum catches it
            byte[] other = bytes.clone();
            other[0] ^= 1;
            storage.put(key, new ByteArrayInputStream(other), other.length);
            IOException corrupt = assertThrows(IOException.class, () -> tracker.openArtifact(run.id(), "model/model.zip"));
            assertTrue(corrupt.getMessage().contains("model/model.zip") && corrupt.getMessage().contains("corrupt"), corrupt.getMessage());
            storage.delete(key);
            assertFalse(storage.exists(key));
            IOException missing = assertThrows(IOException.class, () -> tracker.openArtifact(run.id(), "model/model.zip"));
            assertTrue(missing.getMessage().contains("model/model.zip"), missing.getMessage());
            assertFalse(storage.toString().contains(SECRET));
        }
    }

    /**
     * The SDK retries an upload whose connection broke by sending the body again; a stream can be read only once
     * (the SDK marks its first 128 KB), so a larger artifact failed its retry with "Content input stream does not
     * support mark/reset" (seen in CI: a training that could not record its model). A forwarder in front of S3Proxy
     * cuts the first connection after 200 KB of the request.
     */
    @Test
    void anUploadCutOffOnceIsSentAgainWhole() throws Exception {
        try (java.net.ServerSocket front = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
            Thread acceptor = new Thread(() -> {
                while (!front.isClosed()) {
                    try {
                        java.net.Socket client = front.accept();
                        boolean cut = connections.incrementAndGet() == 1;
                        java.net.Socket server = new java.net.Socket("127.0.0.1", proxy.getPort());
                        pump(client, server, cut ? 200_000 : Long.MAX_VALUE);
                        pump(server, client, Long.MAX_VALUE);
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            S3ArtifactStorage cutOnce = new S3ArtifactStorage(Converters.standardConverter().convert(Map.of("name", "lake",
                    "bucket", "artifacts", "prefix", "cogwork", "endpoint", "http://127.0.0.1:" + front.getLocalPort(),
                    "path.style", true, "access.key", ACCESS, "secret.key", SECRET, "timeout.seconds", 10)).to(S3ArtifactStorageConfig.class));
            try {
                byte[] bytes = new byte[1_000_000];
                new Random(11).nextBytes(bytes);
                Path file = data.resolve("model.zip");
                java.nio.file.Files.write(file, bytes);
                try (InputStream in = java.nio.file.Files.newInputStream(file)) { // as the registry hands it: no mark/reset
                    cutOnce.put("retried/model.zip", in, bytes.length);
                }
                assertTrue(connections.get() >= 2, "the first connection was cut, the upload went again: " + connections);
                try (InputStream in = storage.open("retried/model.zip")) {
                    assertArrayEquals(bytes, in.readAllBytes());
                }
            } finally {
                cutOnce.close();
            }
        }
    }

    /** Copies from one socket to the other on a thread of its own; after {@code limit} bytes both are reset. */
    private static void pump(java.net.Socket from, java.net.Socket to, long limit) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16_384];
            long moved = 0;
            try (InputStream in = from.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (moved + n > limit) {
                        from.setSoLinger(true, 0);
                        to.setSoLinger(true, 0);
                        from.close();
                        to.close();
                        return;
                    }
                    to.getOutputStream().write(buf, 0, n);
                    moved += n;
                }
                to.shutdownOutput();
            } catch (IOException e) {
                try {
                    to.close();
                } catch (IOException ignored) {
                    // closing either way
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }
}
