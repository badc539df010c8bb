package org.cogwork.runtime.internal.security;

import jakarta.servlet.http.Cookie;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.security.Accounts;
import org.cogwork.api.security.AuditLog;
import org.cogwork.api.security.Principal;
import org.cogwork.api.security.Role;
import org.cogwork.runtime.rest.Reply;
import org.cogwork.runtime.rest.RestResource;
import org.cogwork.runtime.rest.Routes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Sign-in and the admin's identity routes:
 * <ul>
 * <li>{@code POST /api/session} {"user", "password"} (anonymous): a browser session (HttpOnly, SameSite=Strict
 * cookie) and its CSRF token; {@code GET /api/session}: who is calling; {@code DELETE /api/session}: sign out;</li>
 * <li>{@code /api/users} (admin): list, create {"name", "role", "password"}, {@code /{name}}: get, PATCH {"role",
 * "password", "disabled"}, DELETE;</li>
 * <li>{@code /api/tokens} (admin): list, create {"name", "role", "expiresAt"} (the secret is in this response
 * only), {@code DELETE /{id}} revokes at once;</li>
 * <li>{@code GET /api/audit?user=&action=&from=&to=&max=&pageToken=} (admin), newest first.</li>
 * </ul>
 */
@Component(service = RestResource.class)
public class SecurityResource implements RestResource {
    private final AuthFilter door;
    private final AuditLog audit;

    record SignIn(String user, String password) {
        SignIn {
            if (user == null || user.isBlank()) {
                throw new InvalidFieldException("user", "user is required");
            }
            if (password == null) {
                throw new InvalidFieldException("password", "password is required");
            }
        }
    }

    record SignedIn(String user, String role, String credential, String csrfToken) {
    }

    record NewUser(String name, Role role, String password) {
        NewUser {
            if (role == null) {
                throw new InvalidFieldException("role", "role is required: admin, data-scientist, annotator, integrator or metrics");
            }
        }
    }

    record UserChange(Role role, String password, Boolean disabled) {
    }

    record NewToken(String name, Role role, Instant expiresAt) {
        NewToken {
            if (role == null) {
                throw new InvalidFieldException("role", "role is required: admin, data-scientist, annotator, integrator or metrics");
            }
        }
    }

    @Activate
    public SecurityResource(@Reference AuthFilter door, @Reference AuditLog audit) {
        this.door = door;
        this.audit = audit;
    }

    @Override
    public void routes(Routes r) {
        r.tag("identity");
        r.post("/api/session").anonymous().body(SignIn.class).returns(SignedIn.class)
                .summary("sign in with user and password: sets the session cookie, returns the CSRF token").handle(call -> {
                    SignIn in = (SignIn) call.body();
                    String address = call.request().getRemoteAddr();
                    Principal p = door.password(door.accounts(), in.user(), in.password(), address, System.currentTimeMillis(), "session");
                    Sessions.Opened s = door.sessions.open(p.name(), System.currentTimeMillis());
                    Cookie c = new Cookie(Sessions.COOKIE, s.id());
                    c.setHttpOnly(true);
                    c.setPath("/");
                    c.setSecure(call.request().isSecure());
                    c.setAttribute("SameSite", "Strict");
                    call.response().addCookie(c);
                    door.record(p.name(), p.role().id(), "sign-in", address, "POST /api/session", "200");
                    return new SignedIn(p.name(), p.role().id(), "session", s.session().csrf);
                });
        r.get("/api/session").roles(Role.values()).returns(SignedIn.class).summary("who is calling")
                .handle(call -> new SignedIn(call.principal().name(), call.principal().role().id(), call.principal().credential(), null));
        r.delete("/api/session").roles(Role.values()).summary("sign out: ends the session of the cookie").handle(call -> {
            door.sessions.close(AuthFilter.sessionCookie(call.request()));
            Cookie c = new Cookie(Sessions.COOKIE, "");
            c.setMaxAge(0);
            c.setPath("/");
            call.response().addCookie(c);
            return null;
        });

        r.get("/api/session/stats").roles().returns(Map.class)
                .summary("how long authentication took per request since start: count, p50/p90/p99 in microseconds")
                .handle(call -> door.times.summary());

        r.get("/api/users").roles().returns(List.class).summary("every user (never a password)").handle(call -> door.accounts().users());
        r.post("/api/users").roles().body(NewUser.class).returns(Accounts.User.class).status(201).summary("create a user").handle(call -> {
            NewUser u = (NewUser) call.body();
            return door.accounts().createUser(u.name(), u.role(), u.password(), call.principal().name());
        });
        r.get("/api/users/{name}").roles().returns(Accounts.User.class).summary("one user").handle(call -> door.accounts().user(call.path("name"))
                .orElseThrow(() -> new NotFoundException("no user named '" + call.path("name") + "'")));
        r.patch("/api/users/{name}").roles().body(UserChange.class).returns(Accounts.User.class)
                .summary("change a user's role, password or disabled flag; ends the user's sessions").handle(call -> {
                    UserChange c = (UserChange) call.body();
                    Accounts.User u = door.accounts().updateUser(call.path("name"), c.role(), c.password(), c.disabled(), call.principal().name());
                    door.sessions.closeAll(u.name());
                    return u;
                });
        r.delete("/api/users/{name}").roles().summary("delete a user; ends the user's sessions").handle(call -> {
            door.accounts().deleteUser(call.path("name"), call.principal().name());
            door.sessions.closeAll(call.path("name"));
            return null;
        });

        r.get("/api/tokens").roles().returns(List.class).summary("every API token (never its secret)").handle(call -> door.accounts().tokens());
        r.post("/api/tokens").roles().body(NewToken.class).returns(Map.class).status(201)
                .summary("create an API token; the secret is in this response only").handle(call -> {
                    NewToken t = (NewToken) call.body();
                    Accounts.NewToken made = door.accounts().createToken(t.name(), t.role(), t.expiresAt(), call.principal().name());
                    return new Reply(201, Map.of("token", made.token(), "info", made.info()), Map.of("Cache-Control", "no-store"));
                });
        r.delete("/api/tokens/{id}").roles().returns(Accounts.Token.class).summary("revoke a token, at once")
                .handle(call -> door.accounts().revokeToken(call.path("id"), call.principal().name()));

        r.get("/api/audit").roles().returns(AuditLog.Page.class).summary("the audit log, newest first, paged")
                .query("user", "only this principal").query("action", "actions starting with this")
                .query("from", "ISO-8601 instant, inclusive").query("to", "ISO-8601 instant, exclusive")
                .query("max", "page size, 1-1000 (100)").query("pageToken", "from the previous page")
                .handle(call -> audit.search(call.query("user"), call.query("action"), instant(call.query("from"), "from"),
                        instant(call.query("to"), "to"), call.queryInt("max", 100, 1, 1000), call.query("pageToken")));
    }

    private static Instant instant(String value, String field) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidFieldException(field, field + " must be an ISO-8601 instant such as 2026-12-01T00:00:00Z");
        }
    }
}
