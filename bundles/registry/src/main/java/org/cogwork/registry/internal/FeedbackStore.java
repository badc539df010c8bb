package org.cogwork.registry.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.cogwork.api.feedback.Feedback;
import org.cogwork.api.feedback.FeedbackService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Feedback on logged predictions, over the metadata store ({@code feedback}, migration V3). Each feedback gets a
 * random UUID and the time it was stored; it must carry a score or a corrected label (a blank label counts as
 * none). Feedback given in the same millisecond keeps the order it was stored in.
 */
@Component(name = "org.cogwork.registry.feedback", service = FeedbackService.class)
public class FeedbackStore implements FeedbackService {
    /** Most feedback one {@link #forModel} returns. */
    static final int MAX_LIST = 50_000;
    private static final String SELECT = "SELECT f.id, f.prediction_id, f.score, f.corrected_label, f.comment_text, f.author, "
            + "f.at_time FROM feedback f ";

    private final MetadataStore db;

    @Activate
    public FeedbackStore(@Reference MetadataStore db) {
        this.db = db;
    }

    static NoSuchElementException noPrediction(String id) {
        return new NoSuchElementException("no logged prediction with id '" + id + "'");
    }

    @Override
    public Feedback submit(String predictionId, Double score, String correctedLabel, String comment, String author) {
        InvalidField.require(predictionId, "prediction_id");
        String label = correctedLabel == null || correctedLabel.isBlank() ? null : correctedLabel;
        if (score == null && label == null) {
            throw new InvalidField("score", "feedback needs a score or a corrected_label");
        }
        if (score != null && !Double.isFinite(score)) {
            throw new InvalidField("score", "score must be a finite number, was " + score);
        }
        InvalidField.limit(label, 8000, "corrected_label");
        InvalidField.limit(comment, 8000, "comment");
        InvalidField.require(author, "author");
        InvalidField.limit(author, 250, "author");
        if (predictionId.length() > Predictions.MAX_ID) {
            throw noPrediction(predictionId);
        }
        Feedback f = new Feedback(UUID.randomUUID().toString(), predictionId, score, label, comment, author,
                Instant.ofEpochMilli(System.currentTimeMillis()));
        db.txVoid(h -> {
            if (!Predictions.exists(h, predictionId)) {
                throw noPrediction(predictionId);
            }
            h.execute("INSERT INTO feedback (id, prediction_id, score, corrected_label, comment_text, author, at_time) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)", f.id(), predictionId, score, label, comment, author, f.time().toEpochMilli());
        });
        return f;
    }

    /** Oldest first. {@link NoSuchElementException} when no prediction has that id (an empty list means no feedback). */
    @Override
    public List<Feedback> forPrediction(String predictionId) {
        InvalidField.require(predictionId, "prediction_id");
        if (predictionId.length() > Predictions.MAX_ID) {
            throw noPrediction(predictionId);
        }
        return db.jdbi().withHandle(h -> {
            if (!Predictions.exists(h, predictionId)) {
                throw noPrediction(predictionId);
            }
            return h.createQuery(SELECT + "WHERE f.prediction_id = ? ORDER BY f.at_time, f.seq").bind(0, predictionId)
                    .map((rs, c) -> read(rs)).list();
        });
    }

    /** Newest first, at most {@code limit} (1..50,000); a model with no logged predictions has none. */
    @Override
    public List<Feedback> forModel(String modelName, int limit) {
        InvalidField.require(modelName, "model_name");
        if (limit < 1 || limit > MAX_LIST) {
            throw new InvalidField("limit", "limit must be in 1.." + MAX_LIST + ", was " + limit);
        }
        return db.jdbi().withHandle(h -> h.createQuery(SELECT + "JOIN predictions p ON p.id = f.prediction_id "
                        + "WHERE p.model_name = ? ORDER BY f.at_time DESC, f.seq DESC LIMIT " + limit)
                .bind(0, modelName).map((rs, c) -> read(rs)).list());
    }

    private static Feedback read(ResultSet rs) throws SQLException {
        double raw = rs.getDouble(3);
        Double score = rs.wasNull() ? null : raw;
        return new Feedback(rs.getString(1).trim(), rs.getString(2), score, rs.getString(4),
                rs.getString(5), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)));
    }
}
