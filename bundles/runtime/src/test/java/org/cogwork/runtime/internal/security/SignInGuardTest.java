package org.cogwork.runtime.internal.security;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.cogwork.api.problem.TooManyRequestsException;
import org.junit.jupiter.api.Test;

class SignInGuardTest {
    @Test
    void fiveFailuresLockTheNameForLongerEachTime() {
        SignInGuard g = new SignInGuard();
        long now = 1_000_000;
        for (int i = 0; i < SignInGuard.FREE_FAILURES - 1; i++) {
            g.failed("ann", "10.0.0.1", now);
            assertDoesNotThrow(() -> g.check("ann", "10.0.0.1", 1_000_000));
        }
        g.failed("ann", "10.0.0.1", now);
        TooManyRequestsException e = assertThrows(TooManyRequestsException.class, () -> g.check("ann", "10.0.0.2", 1_000_000));
        assertEquals(SignInGuard.FIRST_LOCK_SECONDS, e.retryAfterSeconds());
        assertDoesNotThrow(() -> g.check("bob", "10.0.0.1", 1_000_000), "other names are not locked");
        long later = now + SignInGuard.FIRST_LOCK_SECONDS * 1000L;
        assertDoesNotThrow(() -> g.check("ann", "10.0.0.1", later));
        g.failed("ann", "10.0.0.1", later);
        assertEquals(2L * SignInGuard.FIRST_LOCK_SECONDS,
                assertThrows(TooManyRequestsException.class, () -> g.check("ann", "10.0.0.1", later)).retryAfterSeconds());
        g.succeeded("ann");
        assertDoesNotThrow(() -> g.check("ann", "10.0.0.1", later));
    }

    @Test
    void oneAddressTryingManyNamesIsLockedOut() {
        SignInGuard g = new SignInGuard();
        for (int i = 0; i < SignInGuard.ADDRESS_FAILURES; i++) {
            g.failed("user" + i, "10.9.9.9", 5_000);
        }
        assertThrows(TooManyRequestsException.class, () -> g.check("fresh-name", "10.9.9.9", 5_000));
        assertDoesNotThrow(() -> g.check("fresh-name", "10.9.9.8", 5_000));
    }
}
