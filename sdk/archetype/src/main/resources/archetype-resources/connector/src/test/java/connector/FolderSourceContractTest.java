package ${package}.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.List;
import org.cogwork.api.connector.DataSource;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.security.DataRoots;
import org.cogwork.connector.contract.ContractData;
import org.cogwork.connector.contract.QueryContract;
import org.junit.jupiter.api.Test;

/** The query-model contract suite: the same answers as the platform's file connector on credit_data.csv. */
class FolderSourceContractTest extends QueryContract {
    static final Path DATA = ContractData.credit().getParent();

    static FolderSource.Config config(String path) {
        return new FolderSource.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return FolderSource.Config.class;
            }

            @Override
            public String cogwork_source_id() {
                return "contract";
            }

            @Override
            public String path() {
                return path;
            }
        };
    }

    @Override
    protected DataSource source() {
        return new FolderSource(config(DATA.toString()), DataRoots.of(List.of(DATA)));
    }

    @Override
    protected String dataset() {
        return "credit_data.csv";
    }

    @Test
    void aFolderOutsideTheDataRootsIsRefused() {
        InvalidFieldException e = assertThrows(InvalidFieldException.class,
                () -> new FolderSource(config("/etc"), DataRoots.of(List.of(DATA))));
        assertEquals("path", e.field());
    }
}
