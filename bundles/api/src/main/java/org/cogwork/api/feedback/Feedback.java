package org.cogwork.api.feedback;

import java.time.Instant;

/**
 * Feedback from a user on one prediction.
 *
 * @param score a rating: {@code 1} up, {@code -1} down, or any score the application uses; may be {@code null}
 * @param correctedLabel the label the user says is right, may be {@code null}
 * @param author who sent it (the authenticated principal)
 */
public record Feedback(String id, String predictionId, Double score, String correctedLabel, String comment,
                       String author, Instant time) {
}
