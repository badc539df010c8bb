package org.cogwork.connector.s3;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.zip.GZIPOutputStream;
import org.cogwork.api.connector.DataSource;
import org.cogwork.connector.contract.ContractData;
import org.cogwork.connector.contract.QueryContract;
import org.junit.jupiter.api.AfterAll;

/**
 * S3 through S3Proxy, a real S3-compatible server started in this JVM (in-memory store): the credit data as a
 * gzipped object, written with the connector's own {@code write}.
 */
class S3ContractTest extends QueryContract {
    static final String GZ = "credit/credit_data.csv.gz";
    static S3Server server;
    static S3Source s3;

    @Override
    protected DataSource source() throws Exception {
        if (s3 == null) {
            server = S3Server.start();
            server.createBucket("lake");
            S3Source admin = server.source("s3", "lake", "");
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(Files.readAllBytes(ContractData.credit()));
            }
            admin.write(GZ, gz.toByteArray());
            s3 = admin;
        }
        return s3;
    }

    @Override
    protected String dataset() {
        return GZ;
    }

    @AfterAll
    static void close() throws Exception {
        if (server != null) {
            server.close();
            server = null;
            s3 = null;
        }
    }
}
