package org.cogwork.registry.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cogwork.api.problem.InvalidFieldException;

/** MLflow's page tokens: base64 of {@code {"offset": n}}. Opaque to clients. */
final class PageToken {
    private static final Pattern OFFSET = Pattern.compile("\\{\\s*\"offset\"\\s*:\\s*(\\d+)\\s*}");

    private PageToken() {
    }

    static int offset(String token) {
        if (token == null || token.isBlank()) {
            return 0;
        }
        try {
            String json = new String(Base64.getUrlDecoder().decode(token.trim()), StandardCharsets.UTF_8);
            Matcher m = OFFSET.matcher(json);
            if (m.matches()) {
                return Math.toIntExact(Long.parseLong(m.group(1)));
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            // falls through
        }
        throw new InvalidFieldException("page_token", "page_token is not a token this server issued");
    }

    static String next(int offset) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("{\"offset\": " + offset + "}").getBytes(StandardCharsets.UTF_8));
    }

    static int max(int maxResults, int limit) {
        if (maxResults < 1 || maxResults > limit) {
            throw new InvalidFieldException("max_results", "max_results must be in 1.." + limit + ", was " + maxResults);
        }
        return maxResults;
    }
}
