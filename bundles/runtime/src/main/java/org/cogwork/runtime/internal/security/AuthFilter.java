package org.cogwork.runtime.internal.security;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.cogwork.api.problem.ApiException;
import org.cogwork.api.problem.ForbiddenException;
import org.cogwork.api.security.Accounts;
import org.cogwork.api.security.AuditLog;
import org.cogwork.api.security.Principal;
import org.cogwork.runtime.internal.rest.RestDispatcher;
import org.cogwork.runtime.rest.ErrorShape;
import org.cogwork.runtime.rest.Principals;
import org.cogwork.runtime.rest.Problems;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.propertytypes.ServiceRanking;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door: every request but {@code /health} and the sign-in route must carry valid credentials, or it is
 * answered 401 with a {@code WWW-Authenticate} challenge before any servlet sees it. Accepted:
 * {@code Authorization: Basic} (user and password; MLflow clients' {@code MLFLOW_TRACKING_USERNAME/PASSWORD}),
 * {@code Authorization: Bearer <token>} (API tokens; {@code MLFLOW_TRACKING_TOKEN}) and the session cookie, which
 * needs the session's CSRF token in {@code X-CSRF-Token} on every state-changing request (403 without). Failed
 * attempts are written to the audit log and slowed down by {@link SignInGuard} (429 while locked). The
 * authenticated {@link Principal} is left on the request ({@link Principals}) and as its remote user; no header
 * or body field the client sends can change it. There is no switch that turns this off.
 *
 * <p>It filters every servlet context, not only the default one: a plugin that brings its own context (Felix Web
 * Console serves {@code /system/console} from one, with a default admin/admin of its own) is behind the same door.
 * A context's own security check runs before the filters, so such a path needs its own credentials as well.
 */
@Component(service = {Filter.class, AuthFilter.class})
@HttpWhiteboardFilterPattern("/*")
@HttpWhiteboardContextSelect("(" + HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_NAME + "=*)")
@ServiceRanking(Integer.MAX_VALUE - 1)
public class AuthFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(AuthFilter.class);
    private static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");

    final SignInGuard guard = new SignInGuard();
    final Sessions sessions = new Sessions();
    final CheckTimes times = new CheckTimes();
    private final RestDispatcher dispatcher;
    private volatile Accounts accounts;
    /** Notified when an accounts service arrives, for requests waiting for one (see {@link #accounts()}). */
    private final Object accountsArrived = new Object();
    /** How long a request waits for the accounts service before it is told to come back (503). */
    private static final long ACCOUNTS_WAIT_MS = 5_000;
    private volatile AuditLog audit;

    @Activate
    public AuthFilter(@Reference RestDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setAccounts(Accounts a) {
        accounts = a;
        synchronized (accountsArrived) {
            accountsArrived.notifyAll();
        }
    }

    void unsetAccounts(Accounts a) {
        if (accounts == a) {
            accounts = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setAudit(AuditLog a) {
        audit = a;
    }

    void unsetAudit(AuditLog a) {
        if (audit == a) {
            audit = null;
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse resp = (HttpServletResponse) response;
        boolean health = "/health".equals(req.getRequestURI());
        Principal p;
        try {
            long t0 = System.nanoTime();
            p = authenticate(req, System.currentTimeMillis());
            if (p != null) {
                times.record(System.nanoTime() - t0);
            }
            if (p == null && !health && !dispatcher.isAnonymous(req.getMethod(), req.getRequestURI())) {
                throw new ApiException(401, "sign in: send Basic credentials, a Bearer token or a session cookie", null, null);
            }
        } catch (ApiException e) {
            if (!health) {
                Problems.write(req, resp, e, ErrorShape.DEFAULT);
                return;
            }
            p = null; // /health answers everyone, with details only for signed-in callers
        }
        if (p == null) {
            chain.doFilter(req, resp);
            return;
        }
        req.setAttribute(Principals.ATTRIBUTE, p);
        chain.doFilter(new Authenticated(req, p), resp);
    }

    /** The caller of {@code req}, {@code null} when it sent no credentials; an ApiException for bad ones. */
    Principal authenticate(HttpServletRequest req, long now) {
        String header = req.getHeader("Authorization");
        String sessionId = header == null ? sessionCookie(req) : null;
        if (header == null && sessionId == null) {
            return null;
        }
        Accounts a = accounts();
        String address = req.getRemoteAddr();
        if (header != null) {
            if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
                String[] userPass = basic(header.substring(6).strip());
                return password(a, userPass[0], userPass[1], address, now, "basic");
            }
            if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                guard.check("(token)", address, now);
                Optional<Principal> p = a.checkToken(header.substring(7).strip());
                if (p.isEmpty()) {
                    guard.failed("(token)", address, now);
                    record("(token)", null, "sign-in token refused", req, "401");
                    throw new ApiException(401, "the token is unknown, revoked or expired", null, null);
                }
                return p.get();
            }
            throw new ApiException(401, "unsupported Authorization scheme: use Basic or Bearer", null, null);
        }
        Sessions.Session s = sessions.find(sessionId, now);
        Optional<Accounts.User> user = s == null ? Optional.empty() : a.user(s.user);
        if (user.isEmpty() || user.get().disabled()) {
            throw new ApiException(401, "the session has ended: sign in again", null, null);
        }
        if (STATE_CHANGING.contains(req.getMethod())) {
            String csrf = req.getHeader(Sessions.CSRF_HEADER);
            if (csrf == null || !MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8), s.csrf.getBytes(StandardCharsets.UTF_8))) {
                record(s.user, user.get().role().id(), "csrf refused", req, "403");
                throw new ForbiddenException("a state-changing request with a session cookie needs the session's " + Sessions.CSRF_HEADER + " header", null);
            }
        }
        return new Principal(s.user, user.get().role(), "session");
    }

    /** Checks a user name and password under the guard; records failures. */
    Principal password(Accounts a, String user, String password, String address, long now, String how) {
        try {
            guard.check(user, address, now);
        } catch (ApiException e) {
            record(user, null, "sign-in refused (locked)", address, how, "429");
            throw e;
        }
        Optional<Principal> p = a.checkPassword(user, password);
        if (p.isEmpty()) {
            boolean locked = guard.failed(user, address, now);
            record(user, null, "sign-in failed", address, how, locked ? "401, now locked" : "401");
            throw new ApiException(401, "wrong user name or password", null, null);
        }
        guard.succeeded(user);
        return p.get();
    }

    /**
     * The accounts service; waits for it (bounded) when it is not there: at start-up, and while the store restarts
     * (a changed persistence configuration), it is briefly absent, and {@code /health}, which binds it on its own,
     * may already say UP. Then 503: the store is not there.
     */
    Accounts accounts() {
        Accounts a = accounts;
        if (a != null) {
            return a;
        }
        long deadline = System.nanoTime() + ACCOUNTS_WAIT_MS * 1_000_000;
        synchronized (accountsArrived) {
            for (long left = deadline - System.nanoTime(); (a = accounts) == null && left > 0; left = deadline - System.nanoTime()) {
                try {
                    accountsArrived.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (a == null) {
            throw new org.cogwork.api.problem.ServiceUnavailableException("sign-in is not available yet: the metadata store is starting", 1);
        }
        return a;
    }

    private void record(String user, String role, String action, HttpServletRequest req, String outcome) {
        record(user, role, action, req.getRemoteAddr(), req.getMethod() + " " + req.getRequestURI(), outcome);
    }

    void record(String user, String role, String action, String address, String target, String outcome) {
        AuditLog log = audit;
        if (log == null) {
            LOG.warn("audit log unavailable: {} for '{}' from {} not recorded", action, user, address);
            return;
        }
        try {
            log.record(AuditLog.Entry.of(user, role, action, target, outcome, address));
        } catch (RuntimeException e) {
            LOG.error("audit entry '{}' for '{}' not recorded", action, user, e);
        }
    }

    private static String[] basic(String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(401, "malformed Basic credentials", null, null);
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw new ApiException(401, "malformed Basic credentials: expected user:password", null, null);
        }
        return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    static String sessionCookie(HttpServletRequest req) {
        Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (Sessions.COOKIE.equals(c.getName())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    /** The request as servlets see it after sign-in: the principal is the remote user. */
    private static final class Authenticated extends HttpServletRequestWrapper {
        private final Principal principal;

        Authenticated(HttpServletRequest req, Principal principal) {
            super(req);
            this.principal = principal;
        }

        @Override
        public String getRemoteUser() {
            return principal.name();
        }

        @Override
        public java.security.Principal getUserPrincipal() {
            return principal::name;
        }

        @Override
        public String getAuthType() {
            return principal.credential().equals("token") ? "Bearer" : principal.credential().equals("session") ? FORM_AUTH : BASIC_AUTH;
        }

        @Override
        public boolean isUserInRole(String role) {
            return principal.role().id().equals(role);
        }
    }
}
