package org.cogwork.engine.tribuo;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tribuo's (OLCUT) provenance as plain maps, lists, strings, numbers and booleans, so that it serialises to JSON. */
final class Provenances {
    private Provenances() {
    }

    static Object toPlain(Provenance p) {
        if (p instanceof PrimitiveProvenance<?> pp) {
            Object v = pp.getValue();
            return v instanceof Number || v instanceof Boolean || v instanceof String ? v : v == null ? null : String.valueOf(v);
        }
        if (p instanceof ListProvenance<?> lp) {
            List<Object> out = new ArrayList<>();
            for (Provenance x : lp) {
                Object v = toPlain(x);
                if (v != null) {
                    out.add(v);
                }
            }
            return Collections.unmodifiableList(out);
        }
        if (p instanceof MapProvenance<?> mp) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Pair<String, ? extends Provenance> e : mp) {
                put(out, e.getA(), e.getB());
            }
            return Collections.unmodifiableMap(out);
        }
        if (p instanceof ObjectProvenance op) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("class-name", op.getClassName());
            for (Pair<String, Provenance> e : op) {
                put(out, e.getA(), e.getB());
            }
            return Collections.unmodifiableMap(out);
        }
        return p == null ? null : String.valueOf(p);
    }

    private static void put(Map<String, Object> out, String key, Provenance value) {
        Object v = toPlain(value);
        if (v != null) {
            out.put(key, v);
        }
    }
}
