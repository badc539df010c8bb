package org.cogwork.runtime.internal;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.runtime.rest.Call;
import org.cogwork.runtime.rest.Json;
import org.cogwork.runtime.rest.Reply;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code /api/bundles}: list, upload (raw jar body or multipart field {@code file}), start, stop, delete. Admins
 * only: a bundle runs with every permission of the platform.
 */
@Component(name = "org.cogwork.runtime.bundles", service = RestResource.class, configurationPid = RuntimeConfig.PID)
public class BundlesResource implements RestResource {
    private final BundleManager bundles;
    private volatile long maxUploadBytes;

    @Activate
    public BundlesResource(BundleContext ctx, @Reference Failures failures, RuntimeConfig config) {
        this.bundles = new BundleManager(ctx, Dirs.from(ctx), failures);
        modified(config);
    }

    @Modified
    void modified(RuntimeConfig config) {
        this.maxUploadBytes = config.upload_max_bytes();
    }

    @Override
    public void routes(Routes r) {
        r.tag("bundles");
        r.get("/api/bundles").roles().returns(List.class).summary("every installed bundle with its state and diagnostics")
                .handle(call -> bundles.list());
        r.post("/api/bundles").roles().streamed().returns(Map.class).status(201)
                .summary("installs or updates a bundle: the jar as the body, or a multipart part named file (201 new, 200 updated)")
                .handle(call -> upload(call.request()));
        r.get("/api/bundles/{id}").roles().returns(Map.class).summary("one bundle")
                .handle(call -> bundles.describe(bundle(call)));
        r.delete("/api/bundles/{id}").roles().returns(Map.class).summary("uninstalls a bundle and deletes its jar")
                .handle(call -> {
                    Bundle b = bundle(call);
                    bundles.uninstall(b);
                    return Map.of("id", b.getBundleId(), "state", "UNINSTALLED");
                });
        r.post("/api/bundles/{id}/start").roles().returns(Map.class).summary("starts a bundle")
                .handle(call -> {
                    Bundle b = bundle(call);
                    bundles.start(b);
                    return bundles.describe(b);
                });
        r.post("/api/bundles/{id}/stop").roles().returns(Map.class).summary("stops a bundle")
                .handle(call -> {
                    Bundle b = bundle(call);
                    bundles.stop(b);
                    return bundles.describe(b);
                });
    }

    private Bundle bundle(Call<?> call) {
        String id = call.path("id");
        try {
            return bundles.require(Long.parseLong(id));
        } catch (NumberFormatException e) {
            throw new InvalidFieldException("id", "bundle id must be a number, was " + Json.quote(id));
        }
    }

    private Object upload(HttpServletRequest req) throws IOException {
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
                    throw new InvalidFieldException("file", "multipart upload needs a part named 'file'");
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
                throw new InvalidFieldException("body", "empty upload: send the bundle jar as the request body");
            }
            Map<String, Object> result = bundles.installUpload(tmp);
            return Boolean.TRUE.equals(result.get("created")) ? result : Reply.ok(result);
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
