package org.cogwork.serving.internal;

import java.nio.file.Path;
import org.cogwork.persistence.testing.MigrationRerun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** This bundle's migrations survive a kill -9 after any of their statements on the embedded store. */
class ServingMigrationsTest {
    @Test
    void everyVersionCompletesWhenStartedAgainAfterAStopAtAnyStatement(@TempDir Path temp) throws Exception {
        MigrationRerun.assertEveryVersionCompletesAfterAStopAtAnyStatement("org.cogwork.serving", Path.of("target/classes/db/migration"), temp);
    }
}
