package org.cogwork.serving.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.cogwork.api.event.Events;
import org.cogwork.api.event.Topics;
import org.cogwork.api.feedback.Feedback;
import org.cogwork.api.feedback.FeedbackService;
import org.cogwork.api.problem.Fields;
import org.cogwork.api.problem.InvalidFieldException;
import org.cogwork.api.problem.NotFoundException;
import org.cogwork.persistence.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;

/**
 * Feedback on logged predictions, over the metadata store ({@code feedback}, serving's migrations V1 and V2, which
 * keep the model version that made the prediction with each feedback). Each feedback gets a
 * random UUID and the time it was stored; it must carry a score or a corrected label (a blank label counts as
 * none). Feedback given in the same millisecond keeps the order it was stored in. Each stored feedback is announced
 * as {@link Topics#FEEDBACK_RECEIVED}, naming the model version that made the prediction.
 */
@Component(name = "org.cogwork.registry.feedback", service = FeedbackService.class)
public class FeedbackStore implements FeedbackService {
    /** Most feedback one {@link #forModel} returns. */
    static final int MAX_LIST = 50_000;
    private static final String SELECT = "SELECT f.id, f.prediction_id, f.score, f.corrected_label, f.comment_text, f.author, "
            + "f.at_time FROM feedback f ";

    private final Database db;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin events;

    @Activate
    public FeedbackStore(@Reference Database db) {
        this.db = db;
    }

    static NotFoundException noPrediction(String id) {
        return new NotFoundException("no logged prediction with id '" + id + "'");
    }

    @Override
    public Feedback submit(String predictionId, Double score, String correctedLabel, String comment, String author) {
        Fields.require(predictionId, "prediction_id");
        String label = correctedLabel == null || correctedLabel.isBlank() ? null : correctedLabel;
        if (score == null && label == null) {
            throw new InvalidFieldException("score", "feedback needs a score or a corrected_label");
        }
        if (score != null && !Double.isFinite(score)) {
            throw new InvalidFieldException("score", "score must be a finite number, was " + score);
        }
        Fields.limit(label, 8000, "corrected_label");
        Fields.limit(comment, 8000, "comment");
        Fields.require(author, "author");
        Fields.limit(author, 250, "author");
        if (predictionId.length() > Predictions.MAX_ID) {
            throw noPrediction(predictionId);
        }
        Feedback f = new Feedback(UUID.randomUUID().toString(), predictionId, score, label, comment, author,
                Instant.ofEpochMilli(System.currentTimeMillis()));
        Predictions.Source source = db.tx(h -> {
            Predictions.Source s = Predictions.source(h, predictionId).orElseThrow(() -> noPrediction(predictionId));
            h.execute("INSERT INTO feedback (id, prediction_id, model_name, ver, score, corrected_label, comment_text, author, at_time) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", f.id(), predictionId, s.model(), s.version(), score, label, comment, author,
                    f.time().toEpochMilli());
            return s;
        });
        Events.post(events, Topics.FEEDBACK_RECEIVED, Map.of(Topics.FEEDBACK_ID, f.id(), Topics.PREDICTION_ID, predictionId,
                Topics.MODEL_NAME, source.model(), Topics.MODEL_VERSION, source.version(), Topics.USER, author));
        return f;
    }

    /** Oldest first. {@link NotFoundException} when no prediction has that id (an empty list means no feedback). */
    @Override
    public List<Feedback> forPrediction(String predictionId) {
        Fields.require(predictionId, "prediction_id");
        if (predictionId.length() > Predictions.MAX_ID) {
            throw noPrediction(predictionId);
        }
        return db.jdbi().withHandle(h -> {
            if (Predictions.source(h, predictionId).isEmpty()) {
                throw noPrediction(predictionId);
            }
            return h.createQuery(SELECT + "WHERE f.prediction_id = ? ORDER BY f.at_time, f.seq").bind(0, predictionId)
                    .map((rs, c) -> read(rs)).list();
        });
    }

    /** Newest first, at most {@code limit} (1..50,000); a model with no logged predictions has none. */
    @Override
    public List<Feedback> forModel(String modelName, int limit) {
        Fields.require(modelName, "model_name");
        if (limit < 1 || limit > MAX_LIST) {
            throw new InvalidFieldException("limit", "limit must be in 1.." + MAX_LIST + ", was " + limit);
        }
        return db.jdbi().withHandle(h -> h.createQuery(SELECT + "WHERE f.model_name = ? ORDER BY f.at_time DESC, f.seq DESC LIMIT " + limit)
                .bind(0, modelName).map((rs, c) -> read(rs)).list());
    }

    private static Feedback read(ResultSet rs) throws SQLException {
        double raw = rs.getDouble(3);
        Double score = rs.wasNull() ? null : raw;
        return new Feedback(rs.getString(1).trim(), rs.getString(2), score, rs.getString(4),
                rs.getString(5), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)));
    }
}
