package org.cogwork.api.feedback;

import java.util.List;
import java.util.NoSuchElementException;
import org.osgi.annotation.versioning.ProviderType;

/** Stores and reads feedback on predictions. Thread-safe; durable when a method returns. */
@ProviderType
public interface FeedbackService {
    /**
     * @throws NoSuchElementException when no prediction has that id
     * @throws IllegalArgumentException when neither score nor corrected label is given
     */
    Feedback submit(String predictionId, Double score, String correctedLabel, String comment, String author);

    List<Feedback> forPrediction(String predictionId);
}
