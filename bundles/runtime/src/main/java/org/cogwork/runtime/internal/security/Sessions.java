package org.cogwork.runtime.internal.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions: a random 256-bit id in an HttpOnly, SameSite=Strict cookie, a CSRF token the page must echo in
 * {@code X-CSRF-Token} on every state-changing request, {@value #IDLE_MINUTES} minutes idle and
 * {@value #MAX_HOURS} hours at most. Only a hash of the id is kept. In memory: a restart signs everyone out.
 */
final class Sessions {
    static final String COOKIE = "cogwork_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final int IDLE_MINUTES = 30;
    static final int MAX_HOURS = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A session: who, its CSRF token, and its clock. */
    static final class Session {
        final String user;
        final String csrf;
        final long created;
        volatile long lastSeen;

        Session(String user, String csrf, long now) {
            this.user = user;
            this.csrf = csrf;
            this.created = now;
            this.lastSeen = now;
        }
    }

    /** A new session's cookie value and its record. */
    record Opened(String id, Session session) {
    }

    private final Map<String, Session> byHash = new ConcurrentHashMap<>();

    Opened open(String user, long now) {
        String id = random();
        Session s = new Session(user, random(), now);
        byHash.put(hash(id), s);
        if (byHash.size() > 10_000) {
            byHash.values().removeIf(x -> expired(x, now));
        }
        return new Opened(id, s);
    }

    /** The live session for a cookie value, or {@code null}. */
    Session find(String id, long now) {
        if (id == null || id.length() != 43) {
            return null;
        }
        String key = hash(id);
        Session s = byHash.get(key);
        if (s == null) {
            return null;
        }
        if (expired(s, now)) {
            byHash.remove(key);
            return null;
        }
        s.lastSeen = now;
        return s;
    }

    void close(String id) {
        if (id != null) {
            byHash.remove(hash(id));
        }
    }

    /** Ends every session of {@code user} (deleted, disabled or given a new password). */
    void closeAll(String user) {
        byHash.values().removeIf(s -> s.user.equals(user));
    }

    private static boolean expired(Session s, long now) {
        return now - s.lastSeen > IDLE_MINUTES * 60_000L || now - s.created > MAX_HOURS * 3_600_000L;
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String hash(String id) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(id.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
