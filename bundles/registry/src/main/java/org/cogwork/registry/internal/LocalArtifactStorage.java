package org.cogwork.registry.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.cogwork.api.artifact.ArtifactStorage;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.runtime.rest.Json;

/**
 * The built-in storage: a folder ({@code data/artifacts/}). A put writes a temporary file beside the target,
 * forces it to disk and moves it into place atomically, so a reader never sees half an artifact.
 */
public final class LocalArtifactStorage implements ArtifactStorage {
    public static final String NAME = "local";
    private final Path root;

    public LocalArtifactStorage(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path file(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new InvalidFieldException("path", "artifact key '" + key + "' leaves the artifact folder");
        }
        return p;
    }

    @Override
    public void put(String key, InputStream content, long length) throws IOException {
        Path target = file(key);
        // a folder cannot hold both a file "a" and a file "a/b" (object stores can): the caller's path is refused
        if (Files.isDirectory(target)) {
            throw new InvalidFieldException("path", "artifact path " + Json.quote(key) + " is a folder of other artifacts");
        }
        for (Path p = target.getParent(); !p.equals(root); p = p.getParent()) {
            if (Files.isRegularFile(p)) {
                throw new InvalidFieldException("path", "artifact path " + Json.quote(key) + " lies below the artifact " + Json.quote(root.relativize(p).toString()));
            }
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".put-", ".tmp");
        try {
            long n;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                n = content.transferTo(out);
            }
            if (length >= 0 && n != length) {
                throw new IOException("artifact " + key + ": expected " + length + " bytes, got " + n);
            }
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return Files.newInputStream(file(key));
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException("artifact " + key + " is missing from " + root);
        }
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(file(key));
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(file(key));
    }

    @Override
    public String toString() {
        return "local artifact folder " + root;
    }
}
