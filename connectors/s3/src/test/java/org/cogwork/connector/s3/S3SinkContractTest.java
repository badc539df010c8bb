package org.cogwork.connector.s3;

import java.util.Set;
import java.util.TreeSet;
import org.cogwork.api.connector.DataSink;
import org.cogwork.connector.contract.SinkContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 connector through S3Proxy, a real S3-compatible server in this JVM: the sink writes under the prefix
 * {@code sink/} of a bucket whose other keys a name escaping the prefix could reach.
 */
class S3SinkContractTest extends SinkContract {
    static final String BUCKET = "lake";
    static final String PREFIX = "sink/";
    static S3Server server;
    static S3Source sink;

    @BeforeAll
    static void start() throws Exception {
        server = S3Server.start();
        server.createBucket(BUCKET);
        server.client.putObject(p -> p.bucket(BUCKET).key("neighbour.csv"), RequestBody.fromString("a\n1\n"));
        server.client.putObject(p -> p.bucket(BUCKET).key("sinking/other.csv"), RequestBody.fromString("a\n1\n"));
        sink = server.source("lake", BUCKET, PREFIX);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    protected DataSink sink() {
        return sink;
    }

    @Override
    protected DataSink reopen() {
        return server.source("lake", BUCKET, PREFIX);
    }

    private static Set<String> keys() {
        Set<String> out = new TreeSet<>();
        for (S3Object o : server.client.listObjectsV2Paginator(l -> l.bucket(BUCKET)).contents()) {
            out.add(o.key());
        }
        return out;
    }

    @Override
    protected Set<String> stored() {
        Set<String> out = new TreeSet<>();
        for (String k : keys()) {
            if (k.startsWith(PREFIX)) {
                out.add(k.substring(PREFIX.length()));
            }
        }
        return out;
    }

    @Override
    protected Set<String> outside() {
        Set<String> out = keys();
        out.removeIf(k -> k.startsWith(PREFIX));
        return out;
    }

    @Override
    protected byte[] bytes(String dataset) {
        return server.client.getObjectAsBytes(g -> g.bucket(BUCKET).key(PREFIX + dataset)).asByteArray();
    }

    @Override
    protected void overwrite(String dataset, byte[] bytes) {
        server.client.putObject(p -> p.bucket(BUCKET).key(PREFIX + dataset), RequestBody.fromBytes(bytes));
    }
}
