package org.cogwork.api.feedback;

import java.util.List;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.osgi.annotation.versioning.ProviderType;

/** Stores and reads feedback on logged predictions. Thread-safe; durable when a method returns. */
@ProviderType
public interface FeedbackService {
    /**
     * @param score a rating ({@code 1} up, {@code -1} down, or any score), may be {@code null}
     * @param correctedLabel the label the user says is right, may be {@code null}
     * @param author who sent it (the authenticated principal or the caller's name); required
     * @throws NotFoundException when no prediction has that id
     * @throws InvalidFieldException when neither score nor corrected label is given, naming the field
     */
    Feedback submit(String predictionId, Double score, String correctedLabel, String comment, String author);

    List<Feedback> forPrediction(String predictionId);

    /** Feedback on a model's predictions, newest first, at most {@code limit} (what active learning reads). */
    List<Feedback> forModel(String modelName, int limit);
}
