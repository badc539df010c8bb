package org.cogwork.connector.contract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Schema;
import org.cogwork.connector.file.FileSource;
import org.cogwork.connector.file.FileSourceConfig;
import org.osgi.util.converter.Converters;

/**
 * The real data the connector suites run on, and the reference connector that reads it. The folder of the shared
 * datasets is the system property {@value #PROPERTY} (default {@code ../../../shared/data}, right for a module two
 * levels below this repository's root); a missing file fails naming the property.
 */
public final class ContractData {
    /** The system property naming the folder of the shared datasets. */
    public static final String PROPERTY = "cogwork.data";

    private ContractData() {
    }

    /** The folder of the shared datasets, absolute. */
    public static Path folder() {
        return Path.of(System.getProperty(PROPERTY, "../../../shared/data")).toAbsolutePath().normalize();
    }

    /**
     * A shared dataset, e.g. {@code credit_data.csv}.
     *
     * @throws IllegalStateException naming the {@value #PROPERTY} property when the file is not there
     */
    public static Path file(String name) {
        Path p = folder().resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(name + " not found in " + folder() + ": set the system property " + PROPERTY
                    + " to the folder of the shared datasets (e.g. -D" + PROPERTY + "=/path/to/shared/data, or in the"
                    + " surefire plugin's systemPropertyVariables)");
        }
        return p;
    }

    /** {@code credit_data.csv}: 4,454 loan applications, numeric and categorical columns, 381 missing incomes. */
    public static Path credit() {
        return file("credit_data.csv");
    }

    /** The file connector on {@code path} (a file or a folder), built as its DS component would be. */
    public static FileSource fileSource(String id, Path path) {
        return new FileSource(Converters.standardConverter().convert(Map.of("cogwork.source.id", id, "path", path.toString()))
                .to(FileSourceConfig.class));
    }

    /** The column names of a schema, in order. */
    public static List<String> names(Schema s) {
        return s.fields().stream().map(Field::name).toList();
    }
}
