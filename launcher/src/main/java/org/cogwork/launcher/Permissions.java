package org.cogwork.launcher;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * data/ holds configurations with passwords (Config Admin's files in felix-cache), models and logs. bin/cogwork
 * runs with umask 077 so new files are the user's alone; this takes group and other access away from files an
 * older version (or another umask) left, once per start (a few thousand files: milliseconds).
 */
final class Permissions {
    private static final Set<PosixFilePermission> OPEN = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private Permissions() {
    }

    static void tighten(Path data) {
        if (!Files.isDirectory(data) || Files.getFileAttributeView(data, PosixFileAttributeView.class) == null) {
            return; // not a POSIX file system
        }
        try {
            Files.walkFileTree(data, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    close(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile() || attrs.isDirectory()) {
                        close(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("cogwork: could not restrict access to " + data + ": " + e.getMessage());
        }
    }

    private static void close(Path p) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        if (perms.removeAll(OPEN)) {
            Files.setPosixFilePermissions(p, perms);
        }
    }
}
