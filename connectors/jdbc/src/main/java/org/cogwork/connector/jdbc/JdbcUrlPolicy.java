package org.cogwork.connector.jdbc;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which JDBC URLs a source may use. A URL is user input (REST or a config file) that the drivers act on inside
 * this JVM: H2 runs SQL given in the URL ({@code INIT=RUNSCRIPT ...}, {@code CALL FILE_WRITE(...)}), and
 * PostgreSQL and MariaDB instantiate classes or write files named by URL parameters. So H2 settings are
 * allowed from a short list, embedded H2 files only under the data root, and the drivers' class-loading and
 * file-writing parameters are refused. Every refusal is an {@link IllegalArgumentException} whose message
 * starts with {@code url}, naming the setting.
 */
final class JdbcUrlPolicy {
    /**
     * H2 settings that change parsing, locking or lifetime only. Not here on purpose: INIT (runs SQL),
     * AUTO_SERVER / AUTO_SERVER_PORT (open a TCP server on this machine), DATABASE_EVENT_LISTENER,
     * JAVA_OBJECT_SERIALIZER, AUTHENTICATOR (instantiate classes), TRACE_LEVEL_FILE (writes files), FILE_LOCK
     * (NO lets two processes corrupt one file), IGNORE_UNKNOWN_SETTINGS, RECOVER and every other SET command.
     */
    static final Set<String> H2_SETTINGS = Set.of("MODE", "DATABASE_TO_UPPER", "DATABASE_TO_LOWER",
            "CASE_INSENSITIVE_IDENTIFIERS", "IGNORECASE", "DEFAULT_NULL_ORDERING", "NON_KEYWORDS", "SCHEMA",
            "IFEXISTS", "FORBID_CREATION", "ACCESS_MODE_DATA", "LOCK_TIMEOUT", "DB_CLOSE_DELAY", "DB_CLOSE_ON_EXIT",
            "AUTO_RECONNECT", "USER", "PASSWORD", "CIPHER");

    /**
     * PostgreSQL (pgjdbc) and MariaDB Connector/J parameters that load a class by name, write a file, or let the
     * server read local files. Compared without case; {@link #CLASS_LIKE} catches later additions of the kind.
     */
    static final Set<String> DRIVER_PARAMETERS = Set.of(
            // pgjdbc: class instantiation (CVE-2022-21724) and log files (CVE-2022-26520)
            "socketfactory", "socketfactoryarg", "sslfactory", "sslfactoryarg", "sslhostnameverifier",
            "sslpasswordcallback", "authenticationpluginclassname", "sspiserviceclass", "loggerfile", "loggerlevel",
            // MariaDB Connector/J: socket and TLS plugins by class name, credential plugins, LOAD DATA LOCAL INFILE
            "tlssockettype", "credentialtype", "allowlocalinfile", "allowloadlocalinfile", "allowurlinlocalinfile",
            "autodeserialize");
    private static final Pattern CLASS_LIKE = Pattern.compile(".*(factory|class|classname|callback|verifier|plugin)$");

    private JdbcUrlPolicy() {
    }

    /**
     * Throws if {@code url} may not be used.
     *
     * @param dataRoot the folder embedded H2 databases must live in ({@code data/sources})
     */
    static void check(String url, Path dataRoot) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            checkH2(url, dataRoot);
        } else if (lower.startsWith("jdbc:postgresql:") || lower.startsWith("jdbc:mariadb:")) {
            checkParameters(url);
        }
    }

    private static void checkH2(String url, Path dataRoot) {
        List<String> parts = splitH2(url.substring("jdbc:h2:".length()));
        for (String setting : parts.subList(1, parts.size())) {
            if (setting.isBlank()) {
                continue;
            }
            int eq = setting.indexOf('=');
            String key = (eq < 0 ? setting : setting.substring(0, eq)).trim().toUpperCase(Locale.ROOT);
            if (!H2_SETTINGS.contains(key)) {
                throw new IllegalArgumentException("url: the H2 setting " + key + " is not allowed (it can run code or "
                        + "open files and ports); allowed: " + String.join(", ", H2_SETTINGS.stream().sorted().toList()));
            }
        }
        String name = parts.get(0);
        String lowerName = name.toLowerCase(Locale.ROOT);
        if (lowerName.startsWith("mem:") || lowerName.startsWith("tcp:") || lowerName.startsWith("ssl:")) {
            return; // in-memory, or a remote H2 server: nothing of ours on disk, INIT already refused above
        }
        String file = lowerName.startsWith("file:") ? name.substring("file:".length()) : name;
        if (file.matches("^[A-Za-z]{2,}:.*") && !file.matches("^[A-Za-z]:[\\\\/].*")) {
            throw new IllegalArgumentException("url: the H2 file system '" + file.substring(0, file.indexOf(':'))
                    + ":' is not allowed; use jdbc:h2:mem:..., jdbc:h2:tcp://... or a file under " + dataRoot);
        }
        Path path = file.startsWith("~")
                ? Path.of(System.getProperty("user.home") + file.substring(1))
                : Path.of(file);
        Path root = dataRoot.toAbsolutePath().normalize();
        if (!path.toAbsolutePath().normalize().startsWith(root)) {
            throw new IllegalArgumentException("url: an embedded H2 database must be under " + root + ", was " + file);
        }
    }

    /** Splits at {@code ;} as H2 does ({@code \} escapes the next character). */
    private static List<String> splitH2(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                b.append(s.charAt(++i));
            } else if (c == ';') {
                out.add(b.toString());
                b.setLength(0);
            } else {
                b.append(c);
            }
        }
        out.add(b.toString());
        return out;
    }

    private static void checkParameters(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return;
        }
        for (String pair : url.substring(q + 1).split("[&;]")) {
            int eq = pair.indexOf('=');
            String raw = (eq < 0 ? pair : pair.substring(0, eq)).trim();
            String key;
            try {
                key = URLDecoder.decode(raw, StandardCharsets.UTF_8).trim();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("url: malformed parameter name '" + raw + "'");
            }
            String k = key.toLowerCase(Locale.ROOT);
            if (DRIVER_PARAMETERS.contains(k) || CLASS_LIKE.matcher(k).matches()) {
                throw new IllegalArgumentException("url: the parameter " + key
                        + " is not allowed (the driver would load a class or write or read a local file with it)");
            }
        }
    }
}
