package org.cogwork.runtime.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.cogwork.runtime.rest.ErrorBody;
import org.cogwork.runtime.rest.Json;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.propertytypes.ServiceRanking;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses what a web page open in the user's browser could send to this server (defence in depth beside sign-in:
 * a browser may hold Basic credentials or a session cookie):
 * <ul>
 * <li>403 for an {@code Origin} other than this server's own, {@code Sec-Fetch-Site} other than
 * {@code same-origin}/{@code none}, or a {@code Host} that is not a name of this server with its port (DNS
 * rebinding: a foreign name resolved to 127.0.0.1);</li>
 * <li>415 for a POST/PUT/PATCH/DELETE whose body is not JSON, or whose (empty) body is a form or text: such
 * requests need no CORS preflight. Exceptions: bundle uploads (jar or multipart) and run artifacts, also through
 * MLflow's artifact proxy (any bytes, PUT only, which a page cannot send cross-origin without a preflight we never
 * answer).</li>
 * </ul>
 * Clients without a browser (curl, the MLflow client) send no {@code Origin} and pass. Runs before every other
 * filter (ranking) on every path.
 */
@Component(name = "org.cogwork.runtime.crosssite", service = Filter.class, configurationPid = RuntimeConfig.PID)
@HttpWhiteboardFilterPattern("/*")
@ServiceRanking(Integer.MAX_VALUE)
public class CrossSiteFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(CrossSiteFilter.class);
    private static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final Pattern BUNDLE_UPLOAD = Pattern.compile("/api/bundles(/[0-9]+)?");
    private static final Set<String> JAR_TYPES = Set.of("application/java-archive", "application/x-java-archive",
            "application/octet-stream", "application/zip", "multipart/form-data");
    /** The Content-Types a page may send cross-origin without a CORS preflight. */
    private static final Set<String> FORM_TYPES = Set.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data");
    /** Run artifacts through Cogwork's API or MLflow's artifact proxy (MLflow's Python client PUTs any MIME type). */
    private static final Pattern ARTIFACT = Pattern.compile("/api/runs/[^/]+/artifacts/.+|/api/2\\.0/mlflow-artifacts/artifacts/.+");

    private final int port;
    /** Names of this server, valid with its own port only. */
    private final Set<String> own;
    /** Names configured in {@code allowed.hosts} (a reverse proxy's), with any port. */
    private volatile Set<String> proxied = Set.of();

    @Activate
    public CrossSiteFilter(BundleContext ctx, RuntimeConfig config) {
        String p = ctx.getProperty("org.osgi.service.http.port");
        this.port = p == null ? 8080 : Integer.parseInt(p.trim());
        String bind = ctx.getProperty("org.apache.felix.http.host");
        Set<String> names = new HashSet<>(Set.of("localhost", "127.0.0.1", "[::1]"));
        if (bind == null || bind.isBlank() || bind.equals("0.0.0.0") || bind.equals("::")) {
            names.addAll(localNames()); // bound to every interface: every address and the name of this machine
        } else {
            names.add(hostName(bind.trim()));
        }
        this.own = Set.copyOf(names);
        modified(config);
    }

    @Modified
    void modified(RuntimeConfig config) {
        Set<String> names = new HashSet<>();
        for (String h : config.allowed_hosts()) {
            if (!h.isBlank()) {
                names.add(hostName(h.trim()));
            }
        }
        proxied = Set.copyOf(names);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse resp = (HttpServletResponse) response;
        String refusal = crossSite(req);
        if (refusal != null) {
            LOG.warn("Refused {} {}: {}", req.getMethod(), req.getRequestURI(), refusal);
            answer(resp, 403, new ErrorBody("cross-site request refused", refusal.substring(0, refusal.indexOf(':')),
                    refusal.substring(refusal.indexOf(':') + 2)));
            return;
        }
        String type = req.getContentType();
        // An empty body passes unless its type is one a page can send without a preflight (an empty form post).
        if (STATE_CHANGING.contains(req.getMethod()) && (hasBody(req) || FORM_TYPES.contains(media(type))) && !accepted(req, type)) {
            answer(resp, 415, new ErrorBody("the request body must be JSON (Content-Type: application/json)",
                    "Content-Type", type == null ? "no Content-Type" : "was " + shorten(type)));
            return;
        }
        chain.doFilter(request, response);
    }

    /** Why the request looks cross-site ("header: detail"), or {@code null}. */
    String crossSite(HttpServletRequest req) {
        String host = req.getHeader("Host");
        if (host == null || !ownAuthority(host)) {
            return "Host: '" + shorten(String.valueOf(host)) + "' is not a name of this server on port " + port;
        }
        String site = req.getHeader("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return "Sec-Fetch-Site: " + shorten(site);
        }
        String origin = req.getHeader("Origin");
        if (origin != null && !sameOrigin(origin, host)) {
            return "Origin: '" + shorten(origin) + "' is not this server";
        }
        return null;
    }

    private boolean ownAuthority(String authority) {
        Authority a = Authority.parse(authority);
        return a != null && (own.contains(a.name) && (a.port < 0 ? 80 : a.port) == port || proxied.contains(a.name));
    }

    /** The name and port of a Host header ({@code -1}: no port given), or {@code null} if malformed. */
    private record Authority(String name, int port) {
        static Authority parse(String authority) {
            String a = authority.trim().toLowerCase(Locale.ROOT);
            int end = a.startsWith("[") ? a.indexOf(']') : -1;
            int colon = a.indexOf(':', Math.max(0, end));
            if (a.isEmpty() || a.startsWith("[") && end < 0) {
                return null;
            }
            try {
                return new Authority(colon < 0 ? a : a.substring(0, colon), colon < 0 ? -1 : Integer.parseInt(a.substring(colon + 1)));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** An Origin naming the same host (and, where the Host header gives one, port) as the checked Host header. */
    private static boolean sameOrigin(String origin, String host) {
        try {
            URI u = new URI(origin.trim());
            if (u.getHost() == null || !"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                return false;
            }
            Authority h = Authority.parse(host);
            int p = u.getPort() >= 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
            return h != null && hostName(u.getHost()).equals(h.name) && (h.port < 0 || h.port == p);
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String media(String type) {
        return type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    private static boolean accepted(HttpServletRequest req, String type) {
        String media = media(type);
        if (media.equals("application/json") || media.endsWith("+json")) {
            return true;
        }
        String path = req.getRequestURI();
        if (BUNDLE_UPLOAD.matcher(path).matches() && JAR_TYPES.contains(media)) {
            return true;
        }
        return req.getMethod().equals("PUT") && ARTIFACT.matcher(path).matches();
    }

    private static boolean hasBody(HttpServletRequest req) {
        return req.getContentLengthLong() > 0 || req.getHeader("Transfer-Encoding") != null;
    }

    private static void answer(HttpServletResponse resp, int status, ErrorBody body) throws IOException {
        resp.setStatus(status);
        Json.write(resp, body);
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /** A name as it appears in a Host header: lower case, IPv6 literals in brackets. */
    private static String hostName(String h) {
        String s = h.toLowerCase(Locale.ROOT);
        if (s.startsWith("[")) {
            return s;
        }
        return s.contains(":") && !s.startsWith("[") ? "[" + s + "]" : s;
    }

    private static Set<String> localNames() {
        Set<String> out = new HashSet<>();
        try {
            out.add(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
        } catch (UnknownHostException e) {
            // no name for this machine: its addresses still work
        }
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    String s = a.getHostAddress();
                    int zone = s.indexOf('%');
                    out.add(hostName(zone < 0 ? s : s.substring(0, zone)));
                }
            }
        } catch (SocketException e) {
            LOG.warn("Cannot list this machine's addresses; only loopback names are accepted in Host", e);
        }
        return out;
    }
}
