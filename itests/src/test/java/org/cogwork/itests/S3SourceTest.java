package org.cogwork.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 connector hot-deployed into a running Cogwork, against a real S3-compatible server (S3Proxy in this
 * JVM): install through deploy/, define a source over REST, query the credit data, then uninstall while the
 * runtime runs. The steps build on each other, hence the order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3SourceTest {
    static final Path CREDIT = Path.of("../../shared/data/credit_data.csv").toAbsolutePath().normalize();
    static final String ACCESS_KEY = "itest";
    static final String SECRET = "Sup3r-s3cret-never-shown";
    static final Duration DEPLOY_BOUND = Duration.ofSeconds(10);

    @TempDir
    static Path tmp;
    static S3Proxy s3proxy;
    static URI endpoint;
    static Cogwork cogwork;
    static Path deployed;

    @BeforeAll
    static void boot() throws Exception {
        s3proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET).build();
        s3proxy.start();
        while (!"STARTED".equals(s3proxy.getState())) {
            Thread.sleep(10);
        }
        endpoint = URI.create("http://127.0.0.1:" + s3proxy.getPort());
        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            s3.createBucket(b -> b.bucket("credit"));
            s3.putObject(p -> p.bucket("credit").key("raw/credit_data.csv"), RequestBody.fromFile(CREDIT));
        }
        cogwork = Cogwork.fresh(tmp).start();
        deployed = cogwork.home.resolve("deploy/s3-connector.jar");
    }

    @AfterAll
    static void shutdown() throws Exception {
        if (cogwork != null) {
            cogwork.stop();
        }
        if (s3proxy != null) {
            s3proxy.stop();
        }
    }

    static String sourceJson(String id, String bucket) {
        return "{\"id\": \"" + id + "\", \"kind\": \"s3\", \"config\": {\"bucket\": \"" + bucket + "\", \"prefix\": \"raw\","
                + " \"endpoint\": \"" + endpoint + "\", \"path.style\": true, \"access.key\": \"" + ACCESS_KEY + "\","
                + " \"secret.key\": \"" + SECRET + "\", \"timeout.seconds\": 5}}";
    }

    static Cogwork.Response create(String json) throws Exception {
        return cogwork.post("/api/sources", json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    static Cogwork.Response query(String json) throws Exception {
        return cogwork.post("/api/sources/s3credit/datasets/credit_data.csv/query", json.getBytes(StandardCharsets.UTF_8),
                "application/json");
    }

    @Test
    @Order(1)
    void withoutTheBundleThereIsNoS3Kind() throws Exception {
        Cogwork.Response r = create(sourceJson("s3credit", "credit"));
        assertEquals(400, r.status(), r.body());
        assertTrue(r.json().path("error").asText().contains("no connector for kind 's3'"), r.body());
    }

    @Test
    @Order(2)
    void hotDeployedConnectorCreatesTheSource() throws Exception {
        Files.copy(Cogwork.testBundle("org.cogwork.connector.s3"), deployed);
        long deadline = System.nanoTime() + DEPLOY_BOUND.toNanos();
        Cogwork.Response r = create(sourceJson("s3credit", "credit"));
        while (r.status() != 201 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            r = create(sourceJson("s3credit", "credit"));
        }
        assertEquals(201, r.status(), r.body() + "\n" + cogwork.log());
        assertEquals("ACTIVE", r.json().path("status").asText());
        assertEquals("org.cogwork.connector.s3", r.json().path("bundle").asText());

        JsonNode bundle = HotDeployTest.bundle(cogwork.get("/api/bundles").json(), "org.cogwork.connector.s3");
        assertEquals("ACTIVE", bundle.path("state").asText(), bundle.toString());
        assertTrue(bundle.path("problem").isMissingNode() || bundle.path("problem").isNull(), bundle.toString());
        assertEquals(200, cogwork.post("/api/sources/s3credit/test", new byte[0], "application/json").status());
    }

    @Test
    @Order(3)
    void theCreditDataIsQueriedFromS3() throws Exception {
        assertEquals("credit_data.csv", cogwork.get("/api/sources/s3credit/datasets").json().get(0).path("name").asText());
        JsonNode schema = cogwork.get("/api/sources/s3credit/datasets/credit_data.csv/schema").json().path("fields");
        assertEquals(14, schema.size());
        assertEquals("CATEGORICAL", schema.get(0).path("type").asText());
        assertEquals("Income", schema.get(9).path("name").asText());
        assertEquals("INT", schema.get(9).path("type").asText());

        JsonNode bad = query("{\"select\": [\"Status\"], \"where\": {\"column\": \"Status\", \"op\": \"=\", \"value\": \"bad\"},"
                + " \"limit\": 10000}").json();
        assertEquals(1254, bad.path("rows").size(), "1254 bad credits in the data README");
        assertEquals(4454, bad.path("report").path("rowsRead").asInt());

        JsonNode top = query("""
                {"select": ["Status", "Age", "Income"],
                 "where": {"and": [{"column": "Age", "op": ">=", "value": 30},
                                   {"column": "Home", "in": ["rent", "owner"]},
                                   {"not": {"column": "Income", "isNull": true}}]},
                 "orderBy": [{"column": "Income", "desc": true}], "limit": 5}""").json();
        assertEquals(5, top.path("rows").size(), top.toString());
        long previous = Long.MAX_VALUE;
        for (JsonNode row : top.path("rows")) {
            assertTrue(row.get(1).asInt() >= 30);
            assertTrue(row.get(2).asLong() <= previous, "ordered by income, descending");
            previous = row.get(2).asLong();
        }

        Cogwork.Response missing = cogwork.post("/api/sources/s3credit/datasets/nope.csv/query", "{}".getBytes(),
                "application/json");
        assertEquals(404, missing.status(), missing.body());
        assertTrue(missing.json().path("error").asText().contains("datasets are [credit_data.csv]"), missing.body());
    }

    @Test
    @Order(4)
    void theSecretIsNeverShown() throws Exception {
        Cogwork.Response one = cogwork.get("/api/sources/s3credit");
        assertFalse(one.body().contains(SECRET), one.body());
        assertEquals("********", one.json().path("config").path("secret.key").asText(), one.body());
        assertFalse(cogwork.get("/api/sources").body().contains(SECRET));
        assertFalse(cogwork.log().contains(SECRET), "the runtime's log holds the secret");
    }

    @Test
    @Order(5)
    void aWrongBucketIsAReadableError() throws Exception {
        assertEquals(201, create(sourceJson("s3nope", "nope")).status());
        Cogwork.Response test = cogwork.post("/api/sources/s3nope/test", new byte[0], "application/json");
        assertEquals(502, test.status(), test.body());
        assertEquals("bucket check failed: bucket 'nope' not found at " + endpoint, test.json().path("detail").asText());
        assertEquals(200, cogwork.delete("/api/sources/s3nope").status());
    }

    @Test
    @Order(6)
    void uninstallingTheConnectorLeavesTheSourceUnavailableAndTheRuntimeUp() throws Exception {
        Files.delete(deployed);
        JsonNode sources = cogwork.await("/api/sources", s -> s.size() == 1 && "UNAVAILABLE".equals(s.get(0).path("status").asText()),
                DEPLOY_BOUND);
        assertEquals("s3credit", sources.get(0).path("id").asText());
        assertTrue(sources.get(0).path("problem").asText().contains("org.cogwork.connector.s3"), sources.toString());
        assertEquals(404, query("{}").status());
        assertTrue(HotDeployTest.bundle(cogwork.get("/api/bundles").json(), "org.cogwork.connector.s3") == null);

        Cogwork.Response health = cogwork.get("/health");
        assertEquals(200, health.status(), health.body());
        assertEquals("UP", health.json().path("status").asText(), health.body());
        assertEquals(200, cogwork.get("/api/engines").status());
    }
}
