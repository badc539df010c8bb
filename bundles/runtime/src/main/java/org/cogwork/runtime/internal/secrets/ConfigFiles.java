package org.cogwork.runtime.internal.secrets;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes sealed values into the {@code config/} file a configuration came from. FileInstall's own write-back is
 * switched off ({@code felix.fileinstall.enableConfigSave=false} in the launcher): it rewrites a file from the
 * configuration it holds whenever a configuration event reaches it, so an event still queued from start-up put the
 * old values back over an admin's edit made in that moment (the edit was never applied), and readers saw the file
 * empty while it was rewritten. Here only the lines of the sealed keys change, and the file is replaced atomically.
 */
final class ConfigFiles {
    /** The property FileInstall puts on a configuration read from a file: the file's URL. */
    static final String FILENAME = "felix.fileinstall.filename";
    private static final Logger LOG = LoggerFactory.getLogger(ConfigFiles.class);
    private static final Pattern LINE = Pattern.compile("^(\\s*)([^\\s=:#!]+)(\\s*[=:]\\s*|\\s+)(.*)$");

    private ConfigFiles() {
    }

    /** Replaces the value of each key in {@code values} on its line of the file at {@code fileUrl}. */
    static void replaceValues(String fileUrl, Map<String, String> values) {
        Path file;
        try {
            file = Path.of(URI.create(fileUrl));
        } catch (IllegalArgumentException e) {
            LOG.warn("cannot write sealed values to {}: not a file URL", fileUrl);
            return;
        }
        try {
            boolean typed = file.getFileName().toString().endsWith(".config");
            List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
            boolean changed = false;
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = LINE.matcher(lines.get(i));
                if (m.matches() && values.containsKey(m.group(2))) {
                    String v = values.get(m.group(2));
                    lines.set(i, m.group(1) + m.group(2) + m.group(3) + (typed ? "\"" + v + "\"" : v));
                    changed = true;
                }
            }
            if (!changed) {
                return;
            }
            Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            try {
                Files.write(tmp, lines, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("could not write the sealed values of {} into {}: the file keeps them in clear", values.keySet(), file, e);
        }
    }
}
