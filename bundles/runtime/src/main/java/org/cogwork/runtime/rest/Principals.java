package org.cogwork.runtime.rest;

import jakarta.servlet.http.HttpServletRequest;
import org.cogwork.api.security.Principal;

/** Where the front door leaves the authenticated caller on a request. */
public final class Principals {
    /** The request attribute holding the {@link Principal}. */
    public static final String ATTRIBUTE = "org.cogwork.principal";

    private Principals() {
    }

    /** The caller of {@code req}, or {@code null} before authentication (only {@code /health} and sign-in). */
    public static Principal of(HttpServletRequest req) {
        return req.getAttribute(ATTRIBUTE) instanceof Principal p ? p : null;
    }
}
