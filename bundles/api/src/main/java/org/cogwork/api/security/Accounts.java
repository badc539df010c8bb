package org.cogwork.api.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Users and API tokens. Passwords are kept as bcrypt hashes, tokens as SHA-256 hashes of their random part;
 * neither is ever returned. Checks are cached in memory (a verified token costs a hash and a map lookup) and the
 * cache is emptied at once when a token is revoked or a user changed, so a revoked token is refused by the next
 * request.
 */
public interface Accounts {
    /** The principal for a user name and password, or empty when they do not match or the user is disabled. */
    Optional<Principal> checkPassword(String user, String password);

    /** The principal for an API token, or empty when it is unknown, revoked or expired. */
    Optional<Principal> checkToken(String token);

    List<User> users();

    Optional<User> user(String name);

    /** @throws org.cogwork.api.problem.ConflictException when the name is taken */
    User createUser(String name, Role role, String password, String by);

    /** Changes what is not {@code null}. */
    User updateUser(String name, Role role, String password, Boolean disabled, String by);

    void deleteUser(String name, String by);

    /**
     * A new token carrying {@code role}; {@code expiresAt} may be {@code null} (no expiry). The returned
     * {@link NewToken#token()} is the only time the secret is seen.
     */
    NewToken createToken(String name, Role role, Instant expiresAt, String by);

    List<Token> tokens();

    /** Revokes a token at once; a 404 for an unknown id. */
    Token revokeToken(String id, String by);

    /** A user as shown to admins: never the password or its hash. */
    record User(String name, Role role, boolean disabled, Instant created, String createdBy) {
    }

    /** A token as shown to admins: never the secret or its hash. */
    record Token(String id, String name, Role role, Instant created, String createdBy, Instant expiresAt, Instant revoked) {
    }

    /** A token just made: its description and, this once, the secret to send as {@code Authorization: Bearer}. */
    record NewToken(Token info, String token) {
    }
}
