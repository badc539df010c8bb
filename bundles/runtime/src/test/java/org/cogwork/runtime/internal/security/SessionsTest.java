package org.cogwork.runtime.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SessionsTest {
    @Test
    void sessionsEndWhenIdleSignedOutOrTheUserChanges() {
        Sessions s = new Sessions();
        Sessions.Opened a = s.open("ann", 0);
        assertNotEquals(a.id(), a.session().csrf, "the CSRF token is not the cookie");
        assertEquals("ann", s.find(a.id(), 1000).user);
        assertNull(s.find(a.id() + "x", 1000));
        assertNull(s.find(a.id(), 1000 + Sessions.IDLE_MINUTES * 60_000L + 1), "idle too long");
        Sessions.Opened b = s.open("bob", 0);
        s.close(b.id());
        assertNull(s.find(b.id(), 1));
        Sessions.Opened c = s.open("cid", 0);
        s.closeAll("cid");
        assertNull(s.find(c.id(), 1));
    }
}
