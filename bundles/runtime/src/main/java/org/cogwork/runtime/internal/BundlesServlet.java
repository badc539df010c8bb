package org.cogwork.runtime.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cogwork.runtime.rest.ApiException;
import org.cogwork.runtime.rest.JsonServlet;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletMultipart;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code /api/bundles}: list, upload (raw jar body or multipart field {@code file}), start, stop, delete.
 */
@Component(name = "org.cogwork.runtime.bundles", service = Servlet.class, configurationPid = RuntimeConfig.PID)
@HttpWhiteboardServletPattern({"/api/bundles", "/api/bundles/*"})
@HttpWhiteboardServletMultipart(enabled = true)
public class BundlesServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    private final transient BundleManager bundles;
    private volatile long maxUploadBytes;

    @Activate
    public BundlesServlet(BundleContext ctx, RuntimeConfig config) {
        this.bundles = new BundleManager(ctx, Dirs.from(ctx));
        modified(config);
    }

    @Modified
    void modified(RuntimeConfig config) {
        this.maxUploadBytes = config.upload_max_bytes();
    }

    @Override
    protected Reply handle(String method, String path, HttpServletRequest req) throws IOException {
        String[] seg = path.isEmpty() || "/".equals(path) ? new String[0] : path.substring(1).split("/");
        if (seg.length == 0) {
            return switch (method) {
                case "GET" -> Reply.ok(bundles.list());
                case "POST" -> upload(req);
                default -> throw methodNotAllowed(method, path);
            };
        }
        Bundle b = bundles.require(parseId(seg[0]));
        if (seg.length == 1) {
            return switch (method) {
                case "GET" -> Reply.ok(bundles.describe(b));
                case "DELETE" -> {
                    bundles.uninstall(b);
                    yield new Reply(200, Map.of("id", b.getBundleId(), "state", "UNINSTALLED"));
                }
                default -> throw methodNotAllowed(method, path);
            };
        }
        if (seg.length == 2 && "POST".equals(method)) {
            switch (seg[1]) {
                case "start" -> bundles.start(b);
                case "stop" -> bundles.stop(b);
                default -> throw ApiException.notFound("no action '" + seg[1] + "'; use start or stop");
            }
            return Reply.ok(bundles.describe(b));
        }
        throw ApiException.notFound("no such resource: " + method + " /api/bundles" + path);
    }

    private static long parseId(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("id", "bundle id must be a number, was '" + s + "'");
        }
    }

    private Reply upload(HttpServletRequest req) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > maxUploadBytes) {
            throw tooLarge();
        }
        Path tmp = Files.createTempFile("cogwork-upload-", ".jar");
        try {
            String type = req.getContentType();
            if (type != null && type.startsWith("multipart/form-data")) {
                Part part;
                try {
                    part = req.getPart("file");
                } catch (ServletException | IllegalStateException | IOException e) {
                    // no boundary, a truncated or malformed body: the client's; the parser's message names its classes
                    throw new ApiException(400, "could not read the multipart upload (a multipart/form-data body with a boundary"
                            + " and a part named 'file')", "file", null);
                }
                if (part == null) {
                    throw ApiException.badRequest("file", "multipart upload needs a part named 'file'");
                }
                try (InputStream in = part.getInputStream()) {
                    copyBounded(in, tmp);
                }
            } else {
                try (InputStream in = req.getInputStream()) {
                    copyBounded(in, tmp);
                }
            }
            if (Files.size(tmp) == 0) {
                throw ApiException.badRequest("body", "empty upload: send the bundle jar as the request body");
            }
            Map<String, Object> result = bundles.installUpload(tmp);
            return new Reply(Boolean.TRUE.equals(result.get("created")) ? 201 : 200, result);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void copyBounded(InputStream in, Path target) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(target)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > maxUploadBytes) {
                    throw tooLarge();
                }
                out.write(buf, 0, n);
            }
        }
    }

    private ApiException tooLarge() {
        return new ApiException(413, "upload larger than " + maxUploadBytes + " bytes", "body",
                "raise upload.max.bytes in config/" + RuntimeConfig.PID + ".cfg");
    }
}
