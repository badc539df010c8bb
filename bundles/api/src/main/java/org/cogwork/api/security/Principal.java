package org.cogwork.api.security;

import java.util.Objects;
import java.util.Set;

/**
 * Who is calling, as the front door established it: a user signed in with a password or a session, or an API
 * token (then {@code name} is the token's name). The only identity a write records; nothing the client sends in
 * a header or a body field replaces it.
 *
 * @param name the user name or the token name
 * @param role the role the credential carries
 * @param credential how the caller proved it: {@code password}, {@code token} or {@code session}
 */
public record Principal(String name, Role role, String credential) {
    public Principal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(credential, "credential");
    }

    /** Whether this principal may use something granted to {@code roles} (an admin may use everything). */
    public boolean mayUse(Set<Role> roles) {
        return role == Role.ADMIN || roles.contains(role);
    }
}
