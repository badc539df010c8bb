package org.cogwork.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** The folders of a Cogwork home: {@code system/}, {@code deploy/}, {@code config/}, {@code data/}. */
record Home(Path root, Path system, Path deploy, Path config, Path data) {

    static Home open(Path root) throws Main.StartupException {
        Home h = new Home(root, root.resolve("system"), root.resolve("deploy"), root.resolve("config"), root.resolve("data"));
        if (!Files.isDirectory(h.system())) {
            throw new Main.StartupException(root + " is not a Cogwork home: it has no system/ folder "
                    + "(build the distribution with ./mvnw package, or pass --home)");
        }
        try {
            Files.createDirectories(h.deploy());
            Files.createDirectories(h.config());
            Files.createDirectories(h.data());
        } catch (IOException e) {
            throw new Main.StartupException("cannot create the folders of " + root + ": " + e.getMessage(), e);
        }
        return h;
    }

    /** Launcher settings from {@code config/cogwork.properties}. */
    Properties settings() throws Main.StartupException {
        return Main.load(config.resolve("cogwork.properties"));
    }
}
