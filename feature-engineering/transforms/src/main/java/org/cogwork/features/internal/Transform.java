package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Schema;
import org.cogwork.api.feature.FeatureTransform;
import org.cogwork.api.feature.FittedTransform;
import org.cogwork.api.problem.InvalidFieldException;

/**
 * Base of the built-in transforms: parameters checked by {@link Params}, fitted state saved as JSON with
 * the input schema, so {@link #load} rebuilds exactly what {@link #fit} produced.
 */
abstract class Transform implements FeatureTransform {
    private final String name;
    private final Param[] parameters;

    Transform(String name, Param... parameters) {
        this.name = name;
        this.parameters = parameters;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void validate(Map<String, Object> params) {
        check(new Params(name, params, parameters));
    }

    @Override
    public FittedTransform fit(Dataset training, Map<String, Object> params) {
        Params p;
        try {
            p = new Params(name, params, parameters);
            check(p);
        } catch (InvalidFieldException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return fit(training.schema(), training, p);
    }

    /**
     * Rules between parameters that need no data (one needed when another has a value, two that exclude each
     * other), thrown as {@link Params#invalid}; each parameter alone was checked against its declaration.
     */
    void check(Params p) {
    }

    @Override
    public FittedTransform load(InputStream in) throws IOException {
        JsonNode root = State.read(in, name);
        return restore(State.schema(root.path("input")), root.path("state"));
    }

    abstract Fitted fit(Schema input, Dataset data, Params p);

    /** {@code input} with the columns at {@code positions} turned into (never missing) VECTOR columns: text extraction. */
    static Schema vectorsAt(Schema input, int[] positions) {
        List<Field> out = new ArrayList<>(input.fields());
        for (int p : positions) {
            out.set(p, new Field(out.get(p).name(), DataType.VECTOR, false));
        }
        return new Schema(out);
    }

    abstract Fitted restore(Schema input, JsonNode state);

    /** A fitted transform of this kind: its state as JSON and the schema it produces. */
    abstract class Fitted implements FittedTransform {
        final Schema input;

        Fitted(Schema input) {
            this.input = input;
        }

        abstract ObjectNode state();

        @Override
        public void save(OutputStream out) throws IOException {
            State.write(out, name, input, state());
        }

        /** The input row in the fitted input schema (a serving row may have its columns in another order). */
        int col(String column) {
            int i = input.indexOf(column);
            if (i < 0) {
                throw new IllegalArgumentException(name + ": missing column '" + column + "'");
            }
            return i;
        }

        @Override
        public String toString() {
            return name + state();
        }
    }
}
