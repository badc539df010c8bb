package org.cogwork.registry.internal;

import org.cogwork.persistence.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.cogwork.api.problem.ConflictException;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.api.security.Accounts;
import org.cogwork.api.security.Principal;
import org.cogwork.api.security.Role;
import org.jdbi.v3.core.Handle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users and API tokens over the metadata store ({@code cogwork_users}, {@code cogwork_tokens}, migration V5).
 * <ul>
 * <li>Passwords: bcrypt (Bouncy Castle's {@code OpenBSDBCrypt}, cost {@value #COST}); 8 to 72 bytes, bcrypt's
 * own limit, so no password is silently cut.</li>
 * <li>Tokens: {@code cwt_<id>_<secret>} with 96 random bits of id and 256 of secret; only SHA-256 of the secret is
 * stored. High-entropy secrets need no slow hash, which keeps a token check in microseconds.</li>
 * <li>Checks are cached: a verified token by the SHA-256 of the whole token (until its expiry), a verified
 * password by an HMAC of user and password under a key that lives only in this process (for
 * {@value #PASSWORD_CACHE_MINUTES} minutes, so Basic clients do not pay a bcrypt per request). Any change to a
 * user or token empties the caches at once: a revoked token is refused by the next request on this node.</li>
 * <li>The first start creates the admin: user {@code COGWORK_ADMIN_USER} (default {@code admin}) with the
 * password {@code COGWORK_ADMIN_PASSWORD}, or a generated one written to {@code data/initial-admin-password}
 * (owner-only) and shown on the console when there is one.</li>
 * </ul>
 * A second node on the same database sees new users and tokens at once but keeps a revoked token's cached check
 * until its cache entry is dropped; the console issue will add cross-node invalidation through events.
 */
@Component(name = "org.cogwork.registry.accounts", service = Accounts.class, immediate = true)
public class AccountsStore implements Accounts {
    private static final Logger LOG = LoggerFactory.getLogger(AccountsStore.class);
    static final int COST = 10;
    static final int PASSWORD_CACHE_MINUTES = 5;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Pattern TOKEN = Pattern.compile("cwt_([A-Za-z0-9_-]{16})_([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String USER_COLUMNS = "name, role, disabled, created, created_by";
    private static final String TOKEN_COLUMNS = "id, name, role, created, created_by, expires, revoked";
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private record Cached(Principal principal, long until) {
    }

    private final Database db;
    private final byte[] pepper = new byte[32];
    /** A bcrypt hash to check against when the user does not exist, so both cases take as long (made on first need). */
    private volatile String decoy;
    private final Map<String, Cached> tokenChecks = new ConcurrentHashMap<>();
    private final Map<String, Cached> passwordChecks = new ConcurrentHashMap<>();

    @Activate
    public AccountsStore(@Reference Database db, BundleContext ctx) {
        this(db, setting(ctx, "COGWORK_ADMIN_USER", "admin"), setting(ctx, "COGWORK_ADMIN_PASSWORD", null), Tracking.dataDir(ctx));
    }

    /** For use outside OSGi (tests, tools): the first admin, if there is no user yet, gets these credentials. */
    public AccountsStore(Database db, String adminUser, String adminPassword, Path dataDir) {
        this.db = db;
        RANDOM.nextBytes(pepper);
        bootstrap(adminUser, adminPassword, dataDir);
    }

    private void bootstrap(String user, String password, Path dataDir) {
        if (db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM cogwork_users").mapTo(Long.class).one()) > 0) {
            return;
        }
        boolean generated = password == null;
        if (generated) {
            password = randomText(18);
        }
        try {
            createUser(user, Role.ADMIN, password, "first start");
        } catch (InvalidFieldException e) {
            // without its first admin nobody can sign in: say which setting is wrong, plainly (the message has no secret)
            String setting = "password".equals(e.field()) ? "COGWORK_ADMIN_PASSWORD" : "COGWORK_ADMIN_USER";
            LOG.error("{} cannot be used: {}. No admin user was created, so nobody can sign in: start Cogwork again with "
                    + "a valid one (or without COGWORK_ADMIN_PASSWORD, to have a password generated)", setting, e.getMessage());
            throw new IllegalStateException(setting + " cannot be used: " + e.getMessage(), e);
        }
        if (generated) {
            Path file = dataDir.resolve("initial-admin-password");
            try {
                Files.deleteIfExists(file);
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, password + "\n", StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
            if (System.console() != null) {
                System.console().printf("%nCogwork: created the admin user '%s' with the password %s (also in %s; change it and delete the file)%n%n",
                        user, password, file);
            }
            LOG.warn("created the admin user '{}' with a generated password, written to {} (owner-only): sign in, change it, delete the file", user, file);
        } else {
            LOG.info("created the admin user '{}' with the password from COGWORK_ADMIN_PASSWORD", user);
        }
    }

    private static String setting(BundleContext ctx, String name, String dflt) {
        String v = ctx.getProperty(name.toLowerCase().replace('_', '.'));
        if (v == null || v.isBlank()) {
            v = System.getenv(name);
        }
        return v == null || v.isBlank() ? dflt : v;
    }

    @Override
    public Optional<Principal> checkPassword(String user, String password) {
        if (user == null || password == null) {
            return Optional.empty();
        }
        String key = hmac(user + '\0' + password);
        Cached c = passwordChecks.get(key);
        long now = System.currentTimeMillis();
        if (c != null && c.until > now) {
            return Optional.of(c.principal);
        }
        record Row(Role role, String hash, boolean disabled) {
        }
        Optional<Row> row = !NAME.matcher(user).matches() ? Optional.empty() : db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT role, password_hash, disabled FROM cogwork_users WHERE name = ?").bind(0, user)
                .map((rs, x) -> new Row(Role.parse("role", rs.getString(1)), rs.getString(2), rs.getBoolean(3))).findOne());
        boolean ok = verify(row.isPresent() ? row.get().hash() : decoy(), password) && row.isPresent() && !row.get().disabled();
        if (!ok) {
            return Optional.empty();
        }
        Principal p = new Principal(user, row.get().role(), "password");
        passwordChecks.put(key, new Cached(p, now + PASSWORD_CACHE_MINUTES * 60_000L));
        return Optional.of(p);
    }

    private String decoy() {
        String d = decoy;
        if (d == null) {
            d = hash(randomText(16));
            decoy = d;
        }
        return d;
    }

    @Override
    public Optional<Principal> checkToken(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String key = sha256(token);
        Cached c = tokenChecks.get(key);
        if (c != null) {
            if (c.until > System.currentTimeMillis()) {
                return Optional.of(c.principal);
            }
            tokenChecks.remove(key);
            return Optional.empty();
        }
        var m = TOKEN.matcher(token);
        if (!m.matches()) {
            return Optional.empty();
        }
        String secretHash = sha256(m.group(2));
        Optional<Token> t = db.jdbi().withHandle(h -> h.createQuery("SELECT " + TOKEN_COLUMNS + ", secret_hash FROM cogwork_tokens WHERE id = ?")
                .bind(0, m.group(1)).map((rs, x) -> MessageDigest.isEqual(rs.getString(8).getBytes(StandardCharsets.US_ASCII),
                        secretHash.getBytes(StandardCharsets.US_ASCII)) ? token(rs) : null).findOne());
        long now = System.currentTimeMillis();
        if (t.isEmpty() || t.get().revoked() != null || (t.get().expiresAt() != null && t.get().expiresAt().toEpochMilli() <= now)) {
            return Optional.empty();
        }
        Principal p = new Principal(t.get().name(), t.get().role(), "token");
        tokenChecks.put(key, new Cached(p, t.get().expiresAt() == null ? Long.MAX_VALUE : t.get().expiresAt().toEpochMilli()));
        return Optional.of(p);
    }

    @Override
    public List<User> users() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT " + USER_COLUMNS + " FROM cogwork_users ORDER BY name")
                .map((rs, x) -> user(rs)).list());
    }

    @Override
    public Optional<User> user(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return db.jdbi().withHandle(h -> findUser(h, name));
    }

    private static Optional<User> findUser(Handle h, String name) {
        return h.createQuery("SELECT " + USER_COLUMNS + " FROM cogwork_users WHERE name = ?").bind(0, name).map((rs, x) -> user(rs)).findOne();
    }

    @Override
    public User createUser(String name, Role role, String password, String by) {
        checkName("name", name);
        checkPassword(password);
        String hash = hash(password);
        User u = new User(name, role, false, Instant.ofEpochMilli(System.currentTimeMillis()), by);
        try {
            db.txVoid(h -> h.execute("INSERT INTO cogwork_users (name, role, password_hash, disabled, created, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                    name, role.id(), hash, false, u.created().toEpochMilli(), by));
        } catch (RuntimeException e) {
            if (Database.uniqueViolation(e)) {
                throw new ConflictException("name", "a user named '" + name + "' exists");
            }
            throw e;
        }
        return u;
    }

    @Override
    public User updateUser(String name, Role role, String password, Boolean disabled, String by) {
        if (password != null) {
            checkPassword(password);
        }
        String hash = password == null ? null : hash(password);
        User u = db.tx(h -> {
            User old = findUser(h, name).orElseThrow(() -> new NotFoundException("no user named '" + name + "'"));
            boolean demoted = old.role() == Role.ADMIN && !old.disabled()
                    && ((role != null && role != Role.ADMIN) || Boolean.TRUE.equals(disabled));
            if (demoted) {
                requireAnotherAdmin(h, name);
            }
            if (role != null) {
                h.execute("UPDATE cogwork_users SET role = ? WHERE name = ?", role.id(), name);
            }
            if (hash != null) {
                h.execute("UPDATE cogwork_users SET password_hash = ? WHERE name = ?", hash, name);
            }
            if (disabled != null) {
                h.execute("UPDATE cogwork_users SET disabled = ? WHERE name = ?", disabled, name);
            }
            return findUser(h, name).orElseThrow();
        });
        passwordChecks.clear();
        return u;
    }

    @Override
    public void deleteUser(String name, String by) {
        db.txVoid(h -> {
            User old = findUser(h, name).orElseThrow(() -> new NotFoundException("no user named '" + name + "'"));
            if (old.role() == Role.ADMIN && !old.disabled()) {
                requireAnotherAdmin(h, name);
            }
            h.execute("DELETE FROM cogwork_users WHERE name = ?", name);
        });
        passwordChecks.clear();
    }

    /** The last enabled admin cannot be removed, disabled or demoted: nobody could administer Cogwork any more. */
    private static void requireAnotherAdmin(Handle h, String name) {
        long others = h.createQuery("SELECT COUNT(*) FROM cogwork_users WHERE role = ? AND disabled = FALSE AND name <> ?")
                .bind(0, Role.ADMIN.id()).bind(1, name).mapTo(Long.class).one();
        if (others == 0) {
            throw new ConflictException("name", "'" + name + "' is the last enabled admin");
        }
    }

    @Override
    public NewToken createToken(String name, Role role, Instant expiresAt, String by) {
        checkName("name", name);
        long now = System.currentTimeMillis();
        if (expiresAt != null && expiresAt.toEpochMilli() <= now) {
            throw new InvalidFieldException("expiresAt", "expiresAt must be in the future");
        }
        String id = randomText(12);
        String secret = randomText(32);
        Token t = new Token(id, name, role, Instant.ofEpochMilli(now), by, expiresAt, null);
        db.txVoid(h -> h.execute("INSERT INTO cogwork_tokens (id, name, role, secret_hash, created, created_by, expires, revoked) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", id, name, role.id(), sha256(secret), now, by,
                expiresAt == null ? null : expiresAt.toEpochMilli()));
        return new NewToken(t, "cwt_" + id + "_" + secret);
    }

    @Override
    public List<Token> tokens() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT " + TOKEN_COLUMNS + " FROM cogwork_tokens ORDER BY created, id")
                .map((rs, x) -> token(rs)).list());
    }

    @Override
    public Token revokeToken(String id, String by) {
        Token t = db.tx(h -> {
            h.execute("UPDATE cogwork_tokens SET revoked = ? WHERE id = ? AND revoked IS NULL", System.currentTimeMillis(), id);
            return h.createQuery("SELECT " + TOKEN_COLUMNS + " FROM cogwork_tokens WHERE id = ?").bind(0, id).map((rs, x) -> token(rs))
                    .findOne().orElseThrow(() -> new NotFoundException("no token with id '" + id + "'"));
        });
        tokenChecks.clear();
        return t;
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getString(1), Role.parse("role", rs.getString(2)), rs.getBoolean(3), Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5));
    }

    private static Token token(ResultSet rs) throws SQLException {
        long expires = rs.getLong(6);
        Instant exp = rs.wasNull() ? null : Instant.ofEpochMilli(expires);
        long revoked = rs.getLong(7);
        Instant rev = rs.wasNull() ? null : Instant.ofEpochMilli(revoked);
        return new Token(rs.getString(1), rs.getString(2), Role.parse("role", rs.getString(3)), Instant.ofEpochMilli(rs.getLong(4)),
                rs.getString(5), exp, rev);
    }

    private static void checkName(String field, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidFieldException(field, field + " must be 1 to 64 letters, digits or . _ @ - (starting with a letter or digit)");
        }
    }

    private static void checkPassword(String password) {
        int bytes = password == null ? 0 : password.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 8 || bytes > 72) {
            throw new InvalidFieldException("password", "password must be 8 to 72 bytes long (bcrypt's limit), was " + bytes);
        }
    }

    private static String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2b", password.toCharArray(), salt, COST);
    }

    private static boolean verify(String hash, String password) {
        try {
            return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (IllegalArgumentException e) {
            return false; // a password bcrypt cannot take (too long)
        }
    }

    private static String randomText(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String sha256(String s) {
        return HexFormat.of().formatHex(SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private String hmac(String s) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pepper, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
