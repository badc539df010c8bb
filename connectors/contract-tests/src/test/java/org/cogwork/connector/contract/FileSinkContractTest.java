package org.cogwork.connector.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.cogwork.api.connector.DataSink;
import org.cogwork.api.connector.DataSourceException;
import org.cogwork.api.connector.WriteOptions;
import org.cogwork.connector.file.FileSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file connector on a folder: the sink contract, plus what only a file system has (single files, symbolic links, depth). */
class FileSinkContractTest extends SinkContract {
    @TempDir
    static Path tmp;
    static Path lake;
    static FileSource sink;

    @BeforeAll
    static void folder() throws IOException {
        lake = Files.createDirectories(tmp.resolve("lake"));
        Files.writeString(tmp.resolve("neighbour.csv"), "a\n1\n");
        sink = ContractData.fileSource("lake", lake);
    }

    @Override
    protected DataSink sink() {
        return sink;
    }

    @Override
    protected DataSink reopen() {
        return ContractData.fileSource("lake", lake);
    }

    @Override
    protected Set<String> stored() throws IOException {
        return tree(lake);
    }

    @Override
    protected Set<String> outside() throws IOException {
        Set<String> all = tree(tmp);
        all.removeIf(n -> n.startsWith("lake/"));
        return all;
    }

    private static Set<String> tree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    @Override
    protected byte[] bytes(String dataset) throws IOException {
        return Files.readAllBytes(lake.resolve(dataset));
    }

    @Override
    protected void overwrite(String dataset, byte[] bytes) throws IOException {
        Files.write(lake.resolve(dataset), bytes);
    }

    @Test
    void aSourceOnOneFileWritesNothing() throws Exception {
        FileSource single = ContractData.fileSource("single", ContractData.credit());
        DataSourceException e = assertThrows(DataSourceException.class,
                () -> single.write("other.csv", creditSchema, credit.iterator(), WriteOptions.create()));
        assertTrue(e.getMessage().contains("single file") && e.getMessage().contains("'other.csv'"), e.getMessage());
        assertFalse(Files.exists(ContractData.credit().resolveSibling("other.csv")));
    }

    @Test
    void aSymbolicLinkDoesNotLeadOutOfTheFolder() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(lake.resolve("link"), elsewhere);
        try {
            for (String name : java.util.List.of("link/x.csv", "link/sub/x.csv")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> sink.write(name, creditSchema, credit.iterator(), WriteOptions.replace()));
                assertTrue(e.getMessage().contains("'" + name + "'") && e.getMessage().contains("symbolic link"), e.getMessage());
            }
            try (Stream<Path> s = Files.list(elsewhere)) {
                assertEquals(0, s.count(), "not even a folder is created there");
            }
        } finally {
            Files.delete(lake.resolve("link"));
        }
    }

    @Test
    void namesDeeperThanTheSourceListsAreRefused() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sink.write("a/b/c/d.csv", creditSchema, credit.iterator(), WriteOptions.create()));
        assertTrue(e.getMessage().contains("'a/b/c/d.csv'"), e.getMessage());
        assertFalse(Files.exists(lake.resolve("a")));
        sink.write("a/b/c.csv", creditSchema, credit.subList(0, 3).iterator(), WriteOptions.create());
        assertTrue(sink.datasets().stream().anyMatch(d -> d.name().equals("a/b/c.csv")));
    }
}
