package org.cogwork.runtime.internal;

import java.nio.file.Path;
import org.osgi.framework.BundleContext;

/** The distribution's folders, as the launcher announces them in framework properties. */
record Dirs(Path home, Path system, Path deploy, Path data) {
    static Dirs from(BundleContext ctx) {
        String home = ctx.getProperty("cogwork.home");
        Path h = Path.of(home == null ? "." : home).toAbsolutePath().normalize();
        return new Dirs(h, dir(ctx, "cogwork.system.dir", h.resolve("system")),
                dir(ctx, "cogwork.deploy.dir", h.resolve("deploy")), dir(ctx, "cogwork.data.dir", h.resolve("data")));
    }

    private static Path dir(BundleContext ctx, String key, Path dflt) {
        String v = ctx.getProperty(key);
        return v == null ? dflt : Path.of(v).toAbsolutePath().normalize();
    }

    /** The file a bundle location points to, or {@code null} when it is not a file location. */
    static Path fileOf(String location) {
        String l = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
        if (!l.startsWith("file:")) {
            return null;
        }
        try {
            return Path.of(java.net.URI.create(l)).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            return Path.of(l.substring("file:".length())).toAbsolutePath().normalize();
        }
    }

    /** Where a bundle came from: {@code framework}, {@code system}, {@code deploy}, {@code upload} or {@code other}. */
    String origin(long bundleId, String location) {
        if (bundleId == 0) {
            return "framework";
        }
        if (location.startsWith(BundleManager.UPLOAD_LOCATION_PREFIX)) {
            return "upload";
        }
        Path f = fileOf(location);
        if (f != null && f.startsWith(system)) {
            return "system";
        }
        if (f != null && f.startsWith(deploy)) {
            return "deploy";
        }
        return "other";
    }
}
