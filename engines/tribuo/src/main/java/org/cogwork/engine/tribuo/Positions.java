package org.cogwork.engine.tribuo;

import java.util.List;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Schema;

/**
 * Where a model's fields stand in rows of a schema, looked up once per schema instance rather than per field and row:
 * the pipeline's rows share their schema, and a name lookup per field and row was 4 % of a one-row request's CPU
 * (JFR). Keeps the last schema seen; thread-safe.
 */
final class Positions {
    /** Where the fields stand in rows of one schema (-1: not there). */
    private record Known(Schema schema, int[] at) {
    }

    private final String[] names;
    private volatile Known last;

    Positions(List<Field> fields) {
        this.names = fields.stream().map(Field::name).toArray(String[]::new);
    }

    /** Position in {@code rs} of each field, in the order given to the constructor (-1 where absent). */
    int[] in(Schema rs) {
        Known known = last;
        if (known != null && known.schema() == rs) {
            return known.at();
        }
        int[] at = new int[names.length];
        for (int c = 0; c < names.length; c++) {
            at[c] = rs.indexOf(names[c]);
        }
        last = new Known(rs, at);
        return at;
    }
}
