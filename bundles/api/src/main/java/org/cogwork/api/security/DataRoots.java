package org.cogwork.api.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.cogwork.api.problem.InvalidFieldException;

/**
 * The folders of the host an admin opened to Cogwork (config {@code data.roots} of {@code org.cogwork.runtime}):
 * file sources and TorchScript files must lie inside one of them, so nobody with a data-scientist role can read
 * {@code /etc} or another user's home through a source. Symbolic links are followed before the check.
 */
public interface DataRoots {
    /** The roots, as real absolute paths. */
    List<Path> roots();

    /**
     * The real path of {@code path} when it lies inside a root (the path itself need not exist yet).
     *
     * @throws InvalidFieldException naming {@code field} otherwise, with a message that starts with {@code field}
     */
    default Path check(String field, String path) {
        if (path == null || path.isBlank()) {
            throw new InvalidFieldException(field, field + " is required");
        }
        Path p;
        try {
            p = Path.of(path).toAbsolutePath().normalize();
            p = Files.exists(p) ? p.toRealPath() : p;
        } catch (IOException | RuntimeException e) {
            throw new InvalidFieldException(field, field + " is not a usable path: " + path);
        }
        for (Path root : roots()) {
            if (p.startsWith(root)) {
                return p;
            }
        }
        throw new InvalidFieldException(field, field + " " + path + " is outside the data roots (" + roots().stream().map(Path::toString)
                .collect(Collectors.joining(", ")) + "); an admin can add a folder to data.roots in config/org.cogwork.runtime.cfg");
    }

    /** Fixed roots (tools and tests outside the runtime); each is made real when it exists. */
    static DataRoots of(List<Path> roots) {
        List<Path> real = roots.stream().map(r -> {
            Path a = r.toAbsolutePath().normalize();
            try {
                return Files.exists(a) ? a.toRealPath() : a;
            } catch (IOException e) {
                return a;
            }
        }).toList();
        return () -> real;
    }
}
