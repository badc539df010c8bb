package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Two runtimes (two homes, two JVMs) on one PostgreSQL and one S3-compatible store (S3Proxy, started here): a model
 * trained and registered on one is served by the other, which also sees the job and downloads its artifact; the
 * trained model.zip is in the bucket, not on the first node's disk, and an alias moved on one is followed by the other
 * within serving's documented staleness (one second plus one read).
 */
class TwoNodesTest {
    /** One credit_data.csv row as a predict body (also used by {@link ColdLoadTest}). */
    static final byte[] ROW = ("{\"rows\": [{\"Seniority\": 9, \"Home\": \"rent\", \"Time\": 60, \"Age\": 30, "
            + "\"Marital\": \"married\", \"Records\": \"no\", \"Job\": \"freelance\", \"Expenses\": 73, \"Income\": 129, "
            + "\"Assets\": 0, \"Debt\": 0, \"Amount\": 800, \"Price\": 846}]}").getBytes(StandardCharsets.UTF_8);
    @TempDir
    Path tmp;

    @Test
    void aModelTrainedOnOneNodeIsServedByTheOther() throws Exception {
        S3Proxy s3proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, S3SourceTest.ACCESS_KEY, S3SourceTest.SECRET).build();
        s3proxy.start();
        String schema = "two_nodes_" + Long.toHexString(System.nanoTime());
        try (Connection pg = JdbcSourceTest.connectOrSkip(); Statement st = pg.createStatement()) {
            while (!"STARTED".equals(s3proxy.getState())) {
                Thread.sleep(10);
            }
            URI endpoint = URI.create("http://127.0.0.1:" + s3proxy.getPort());
            try (S3Client s3 = s3(endpoint)) {
                s3.createBucket(b -> b.bucket("models"));
            }
            st.execute("CREATE SCHEMA " + schema);
            try (Cogwork a = node(tmp.resolve("a"), schema, endpoint); Cogwork b = node(tmp.resolve("b"), schema, endpoint)) {
                a.start();
                b.start(); // after a: the first admin is made once, by a, in the shared database
                FileSourceTest.addSharedData(a);
                Cogwork.Response submitted = TrainingApiTest.submitTo(a, ServingTest.SPEC.formatted("logistic", "production"));
                assertEquals(202, submitted.status(), submitted.body());
                String job = submitted.json().path("id").asText();
                JsonNode done = TrainingApiTest.awaitDone(a, job);
                assertEquals("SUCCEEDED", done.path("status").asText(), done.toString());
                String uri = done.path("result").path("tracking").path("artifactUri").asText();

                // b serves the version a registered, loading model.zip from the shared bucket
                Cogwork.Response predicted = b.post("/api/models/credit-risk/predict", ROW, "application/json");
                assertEquals(200, predicted.status(), predicted.body());
                JsonNode p = predicted.json().path("predictions").get(0);
                assertTrue(p.path("value").asText().matches("good|bad"), p.toString());
                assertEquals(1, predicted.json().path("version").asInt(), predicted.body());

                // an alias moved on a is followed by b within its documented staleness (a re-read each second)
                Cogwork.Response second = TrainingApiTest.submitTo(a, ServingTest.SPEC.formatted("logistic", "candidate"));
                assertEquals(202, second.status(), second.body());
                assertEquals("SUCCEEDED", TrainingApiTest.awaitDone(a, second.json().path("id").asText()).path("status").asText());
                assertEquals(1, b.post("/api/models/credit-risk/predict", ROW, "application/json").json().path("version").asInt());
                assertEquals(200, a.put("/api/models/credit-risk/aliases/production", "{\"version\": 2}".getBytes(StandardCharsets.UTF_8),
                        "application/json").status());
                long moved = System.nanoTime();
                int served = 1;
                while (served == 1 && System.nanoTime() - moved < 10_000_000_000L) {
                    Cogwork.Response r = b.post("/api/models/credit-risk/predict", ROW, "application/json");
                    assertEquals(200, r.status(), r.body());
                    served = r.json().path("version").asInt();
                }
                long millis = (System.nanoTime() - moved) / 1_000_000;
                System.out.println("alias moved on node a, served by node b after " + millis + " ms");
                assertEquals(2, served);
                assertTrue(millis < 1000 + 1500, "b followed after " + millis + " ms: more than a second plus one read");

                // b knows a's job and hands out its artifact, read from the bucket
                assertEquals("SUCCEEDED", b.get("/api/trainings/" + job).json().path("status").asText());
                Cogwork.Response zip = b.get("/api/trainings/" + job + "/artifact");
                assertEquals(200, zip.status(), zip.body());
                assertTrue(zip.body().startsWith("PK"), "a zip file");
                try (S3Client s3 = s3(endpoint)) {
                    long objects = s3.listObjectsV2(l -> l.bucket("models")).contents().stream()
                            .filter(o -> o.key().endsWith("model/model.zip")).count();
                    assertEquals(2, objects, "model.zip is in the bucket (artifact URI " + uri + ")");
                }
                // and no copy stays on a's disk
                Path trainings = a.home.resolve("data/trainings");
                assertFalse(Files.exists(trainings.resolve(job)), "a kept a local copy in " + trainings.resolve(job));
            } finally {
                st.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        } finally {
            s3proxy.stop();
        }
    }

    /** A home on the shared database, with the S3 connector deployed and the registry's artifacts in the bucket. */
    private static Cogwork node(Path home, String schema, URI endpoint) throws Exception {
        Cogwork c = Cogwork.fresh(home);
        Files.writeString(c.home.resolve("config/org.cogwork.persistence.cfg"),
                "url=jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema + "\nuser=postgres\n");
        Files.writeString(c.home.resolve("config/org.cogwork.artifacts.s3-models.cfg"), "name=models\nbucket=models\nprefix=cogwork\n"
                + "endpoint=" + endpoint + "\npath.style=true\naccess.key=" + S3SourceTest.ACCESS_KEY + "\nsecret.key=" + S3SourceTest.SECRET + "\n");
        Files.writeString(c.home.resolve("config/org.cogwork.registry.cfg"), "artifact.storage=models\n");
        Files.copy(Cogwork.testBundle("org.cogwork.connector.s3"), c.home.resolve("deploy/s3-connector.jar"));
        return c;
    }

    private static S3Client s3(URI endpoint) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3SourceTest.ACCESS_KEY, S3SourceTest.SECRET)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
