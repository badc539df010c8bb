package org.cogwork.mlflow.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.cogwork.api.tracking.ExperimentTracker;
import org.cogwork.api.tracking.Run;

/**
 * Run artifacts as MLflow's proxied artifact store addresses them.
 *
 * <p>Cogwork keeps a run's artifacts under {@code cogwork-artifacts:/<experiment_id>/<run_id>/artifacts/<path>}, the
 * layout MLflow's own server uses under {@code mlflow-artifacts:/}, so the MLflow routes present them as
 * {@code mlflow-artifacts:/<experiment_id>/<run_id>/artifacts/<path>}: MLflow clients resolve that scheme against
 * their tracking URI to {@code <tracking_uri>/api/2.0/mlflow-artifacts/artifacts/<path>} and list and download there
 * ({@link MlflowArtifactsResource}). Bytes come from the tracker (checksum verified), whichever storage holds them
 * (the local folder or S3).
 */
final class Artifacts {
    static final String MLFLOW_SCHEME = "mlflow-artifacts:/";
    static final String COGWORK_SCHEME = "cogwork-artifacts:/";
    static final String RUNS_SCHEME = "runs:/";

    private Artifacts() {
    }

    /** Cogwork's artifact URI as MLflow clients resolve it; any other URI unchanged. */
    static String toMlflow(String uri) {
        return uri != null && uri.startsWith(COGWORK_SCHEME) ? MLFLOW_SCHEME + uri.substring(COGWORK_SCHEME.length()) : uri;
    }

    /** The storage path of a run's artifact root ({@code 3/<run>/artifacts}), or {@code null} when not Cogwork's. */
    static String root(Run run) {
        String uri = run.artifactUri();
        return uri != null && uri.startsWith(COGWORK_SCHEME) ? strip(uri.substring(COGWORK_SCHEME.length())) : null;
    }

    private static String strip(String p) {
        int end = p.length();
        while (end > 0 && p.charAt(end - 1) == '/') {
            end--;
        }
        return p.substring(0, end);
    }

    /**
     * A client's artifact path, checked as MLflow's {@code validate_path_is_safe} does (and a little more): relative,
     * no {@code .} or {@code ..} segment, no empty segment, no backslash, {@code #} or control character, also once
     * percent-decoded again (a path arrives decoded once). Trailing slashes are dropped. Blank is the root ({@code ""}).
     *
     * @throws MlflowError 400 INVALID_PARAMETER_VALUE otherwise
     */
    static String safePath(String path) {
        if (path == null) {
            return "";
        }
        if (path.length() > 2000) {
            throw MlflowError.invalid("Invalid path: longer than 2000 characters");
        }
        String p = strip(path);
        check(path, p);
        String decoded = p;
        for (int i = 0; i < 5 && decoded.indexOf('%') >= 0; i++) {
            try {
                String next = URLDecoder.decode(decoded.replace("+", "%2B"), StandardCharsets.UTF_8);
                if (next.equals(decoded)) {
                    break;
                }
                decoded = next;
                check(path, decoded);
            } catch (IllegalArgumentException e) {
                break; // not a percent-encoding: the name holds a literal '%'
            }
        }
        return p;
    }

    private static void check(String original, String p) {
        if (p.isEmpty()) {
            return;
        }
        boolean bad = p.startsWith("/") || p.indexOf('\\') >= 0 || p.indexOf('#') >= 0;
        for (int i = 0; i < p.length() && !bad; i++) {
            bad = Character.isISOControl(p.charAt(i));
        }
        if (!bad) {
            for (String seg : p.split("/", -1)) {
                if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                    bad = true;
                    break;
                }
            }
        }
        if (bad) {
            throw MlflowError.invalid("Invalid path '" + shown(original) + "': artifact paths are relative, without '.', '..' "
                    + "or empty segments, backslashes, '#' or control characters");
        }
    }

    static String shown(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 200 ? b + "…" : b.toString();
    }

    /** A path inside a run: the run and the artifact path below its root ({@code ""} for the root itself). */
    record Located(Run run, String root, String rel) {
    }

    /**
     * The run an artifact path ({@code <experiment_id>/<run_id>/artifacts[/<path>]}, already {@link #safePath safe})
     * lies in.
     *
     * @throws MlflowError 404 RESOURCE_DOES_NOT_EXIST when no run of that experiment has that id
     */
    static Located locate(ExperimentTracker tracker, String path) {
        String[] seg = path.split("/", 3);
        Run run = seg.length < 2 ? null : tracker.run(seg[1]).orElse(null);
        String root = run == null ? null : root(run);
        if (root == null || !(path.equals(root) || path.startsWith(root + "/"))) {
            throw MlflowError.missing("No run artifacts at '" + shown(path) + "': Cogwork keeps artifacts per run, at "
                    + "<experiment_id>/<run_id>/artifacts/<path>");
        }
        return new Located(run, root, path.length() == root.length() ? "" : path.substring(root.length() + 1));
    }

    /**
     * MLflow's {@code FileInfo}s of the entries directly below {@code rel} in a run's artifacts (path → size):
     * files with their size, folders as {@code is_dir}. A file or a missing path has none (MLflow clients tell a
     * file from a folder by an empty listing). Paths are {@code prefix + name}, sorted.
     */
    static ArrayNode children(Map<String, Long> artifacts, String rel, String prefix) {
        Map<String, Long> entries = new TreeMap<>(); // name → size, or null for a folder
        String under = rel.isEmpty() ? "" : rel + "/";
        for (Map.Entry<String, Long> a : artifacts.entrySet()) {
            if (!a.getKey().startsWith(under)) {
                continue;
            }
            String rest = a.getKey().substring(under.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                entries.putIfAbsent(rest, a.getValue());
            } else {
                entries.put(rest.substring(0, slash), null);
            }
        }
        ArrayNode files = Shapes.JSON.createArrayNode();
        entries.forEach((name, size) -> {
            var f = files.addObject().put("path", prefix + name).put("is_dir", size == null);
            if (size != null) {
                f.put("file_size", size.longValue());
            }
        });
        return files;
    }

    /** Whether {@code rel} is a folder of the run's artifacts (some artifact lies below it). */
    static boolean isFolder(Map<String, Long> artifacts, String rel) {
        String under = rel + "/";
        return artifacts.keySet().stream().anyMatch(k -> k.startsWith(under));
    }
}
