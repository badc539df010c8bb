package org.cogwork.features.internal;

import java.util.ArrayList;
import java.util.List;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;

/**
 * The layout of a transform that replaces several columns by one new column, put where the first of them was
 * ({@code vector}: numbers into a VECTOR, {@code concat}: texts into one TEXT); the other columns keep their order.
 */
final class IntoOne {
    /** The replaced columns' positions in the input, in the order they are combined. */
    final int[] sources;
    private final int[] kept;
    private final int at;
    final Schema output;

    IntoOne(Schema input, int[] sources, Field made) {
        this.sources = sources;
        int first = Integer.MAX_VALUE;
        for (int s : sources) {
            first = Math.min(first, s);
        }
        List<Field> out = new ArrayList<>();
        List<Integer> keep = new ArrayList<>();
        int position = -1;
        for (int i = 0; i < input.size(); i++) {
            if (i == first) {
                position = out.size();
                out.add(made);
            }
            if (!contains(sources, i)) {
                keep.add(i);
                out.add(input.fields().get(i));
            }
        }
        this.at = position;
        this.kept = keep.stream().mapToInt(Integer::intValue).toArray();
        this.output = new Schema(out);
    }

    private static boolean contains(int[] positions, int i) {
        for (int p : positions) {
            if (p == i) {
                return true;
            }
        }
        return false;
    }

    /** The output row: {@code row}'s kept values with {@code made} in the new column's place. */
    Row row(Row row, Object made) {
        Object[] out = new Object[kept.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) {
            out[i] = i == at ? made : row.get(kept[j++]);
        }
        return new Row(output, out);
    }
}
