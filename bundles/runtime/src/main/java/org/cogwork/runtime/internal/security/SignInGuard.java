package org.cogwork.runtime.internal.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.cogwork.api.problem.TooManyRequestsException;

/**
 * Slows down password guessing: after {@value #FREE_FAILURES} failed sign-ins in a row for a user name, that name
 * is locked for a time that doubles with each further failure ({@value #FIRST_LOCK_SECONDS} s, up to
 * {@value #MAX_LOCK_SECONDS} s); one client address failing {@value #ADDRESS_FAILURES} times within
 * {@value #ADDRESS_WINDOW_SECONDS} s is locked out the same way, whatever names it tries. A success clears the
 * name's count. While locked, credentials are not even checked (a 429 with {@code Retry-After}). In memory: a
 * restart forgets, which only gives an attacker one more round.
 */
final class SignInGuard {
    static final int FREE_FAILURES = 5;
    static final int FIRST_LOCK_SECONDS = 30;
    static final int MAX_LOCK_SECONDS = 900;
    static final int ADDRESS_FAILURES = 50;
    static final int ADDRESS_WINDOW_SECONDS = 600;

    private static final class Count {
        int failures;
        long windowStart;
        long lockedUntil;
    }

    private final Map<String, Count> byName = new ConcurrentHashMap<>();
    private final Map<String, Count> byAddress = new ConcurrentHashMap<>();

    /** Throws 429 while {@code name} or {@code address} is locked. */
    void check(String name, String address, long now) {
        long wait = Math.max(remaining(byName.get(name), now), remaining(byAddress.get(address), now));
        if (wait > 0) {
            throw new TooManyRequestsException("too many failed sign-ins: try again in " + (wait + 999) / 1000 + " s", (wait + 999) / 1000);
        }
    }

    private static long remaining(Count c, long now) {
        if (c == null) {
            return 0;
        }
        synchronized (c) {
            return Math.max(0, c.lockedUntil - now);
        }
    }

    /** Records a failure; returns whether it locked the name or the address. */
    boolean failed(String name, String address, long now) {
        boolean locked = false;
        Count n = byName.computeIfAbsent(name, k -> new Count());
        synchronized (n) {
            n.failures++;
            if (n.failures >= FREE_FAILURES) {
                long seconds = Math.min(MAX_LOCK_SECONDS, (long) FIRST_LOCK_SECONDS << Math.min(10, n.failures - FREE_FAILURES));
                n.lockedUntil = now + seconds * 1000;
                locked = true;
            }
        }
        Count a = byAddress.computeIfAbsent(address, k -> new Count());
        synchronized (a) {
            if (now - a.windowStart > ADDRESS_WINDOW_SECONDS * 1000L) {
                a.windowStart = now;
                a.failures = 0;
            }
            a.failures++;
            if (a.failures >= ADDRESS_FAILURES) {
                a.lockedUntil = now + MAX_LOCK_SECONDS * 1000L;
                locked = true;
            }
        }
        if (byName.size() > 100_000) {
            byName.entrySet().removeIf(e -> remaining(e.getValue(), now) == 0);
        }
        return locked;
    }

    void succeeded(String name) {
        byName.remove(name);
    }
}
