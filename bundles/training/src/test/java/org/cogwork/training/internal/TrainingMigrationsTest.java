package org.cogwork.training.internal;

import java.nio.file.Path;
import org.cogwork.persistence.testing.MigrationRerun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** This bundle's migrations survive a kill -9 after any of their statements on the embedded store. */
class TrainingMigrationsTest {
    @Test
    void everyVersionCompletesWhenStartedAgainAfterAStopAtAnyStatement(@TempDir Path temp) throws Exception {
        MigrationRerun.assertEveryVersionCompletesAfterAStopAtAnyStatement("org.cogwork.training", Path.of("target/classes/db/migration"), temp);
    }
}
