package org.cogwork.serving.internal;

/**
 * Rows that arrived as JSON and know their text: the prediction log keeps it as it was sent instead of writing every
 * value again.
 */
interface SentRows {
    /**
     * The rows' JSON text as sent: the one row's object when there is one row, else the array of them; {@code null}
     * when it is not known (the rows did not come whole from a request body).
     */
    String json();
}
