package org.cogwork.api.data;

/**
 * The logical type of a column. Connectors map their native types onto these; engines and transforms
 * only ever see these.
 *
 * <p>Java value carried in a {@link Row} for each type: {@code INT} → {@link Long}, {@code DOUBLE} →
 * {@link Double}, {@code BOOLEAN} → {@link Boolean}, {@code STRING}, {@code TEXT} and {@code CATEGORICAL}
 * → {@link String}, {@code DATE} → {@link java.time.LocalDate}, {@code TIMESTAMP} →
 * {@link java.time.Instant}, {@code VECTOR} → {@link Vector}. A missing value is {@code null} for every type.
 */
public enum DataType {
    INT,
    DOUBLE,
    BOOLEAN,
    /** Free text that is not meant to be tokenised, e.g. an identifier. */
    STRING,
    /** Natural-language text, the input of text feature extraction. */
    TEXT,
    /** A string drawn from a small set of levels. */
    CATEGORICAL,
    DATE,
    TIMESTAMP,
    /**
     * A numeric vector, dense or sparse: what feature extraction produces from text (TF-IDF) or images
     * (pixels), so that one column carries thousands of features without one column each.
     */
    VECTOR;

    /** Whether values of this type are numbers (usable directly as numeric features or a regression target). */
    public boolean isNumeric() {
        return this == INT || this == DOUBLE;
    }
}
