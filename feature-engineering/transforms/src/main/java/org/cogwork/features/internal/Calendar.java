package org.cogwork.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.cogwork.api.data.DataType;
import org.cogwork.api.data.Dataset;
import org.cogwork.api.data.Field;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;
import org.cogwork.api.feature.FeatureTransform;
import org.osgi.service.component.annotations.Component;

/**
 * Calendar features of DATE/TIMESTAMP columns (in UTC): {@code <col>_year, _month, _day, _dow} (1 = Monday),
 * {@code _doy}, {@code _weekend}, {@code _holiday}, and with {@code cyclical: true} sine/cosine encodings of
 * month, day of week and day of year, so December sits next to January. Holidays come from {@code calendar}
 * ({@code us}: US federal holidays, or {@code none}) plus any dates listed in {@code holidays}. The date column
 * itself is dropped (engines take numbers).
 */
@Component(service = FeatureTransform.class, property = FeatureTransform.TRANSFORM_NAME + "=calendar")
public final class Calendar extends Transform {
    private static final List<String> PARTS = List.of("year", "month", "day", "dow", "doy", "weekend", "holiday");

    public Calendar() {
        super("calendar", Param.columns(), Param.flag("cyclical"), Param.oneOf("calendar", "us", "none"), Param.dates("holidays"));
    }

    @Override
    Fitted fit(Schema input, Dataset data, Params p) {
        List<String> cols = p.columns(input, t -> t == DataType.DATE || t == DataType.TIMESTAMP, "a date or timestamp");
        if (cols.isEmpty()) {
            throw p.error("columns", "no DATE or TIMESTAMP column");
        }
        String calendar = p.string("calendar", "us");
        TreeSet<String> extra = new TreeSet<>();
        List<Object> h = p.list("holidays");
        if (h != null) {
            h.forEach(d -> extra.add(LocalDate.parse((String) d).toString()));
        }
        return new Dated(input, cols, p.flag("cyclical", true), calendar, extra);
    }

    @Override
    Fitted restore(Schema input, JsonNode s) {
        List<String> cols = new ArrayList<>();
        s.path("columns").forEach(n -> cols.add(n.asText()));
        TreeSet<String> extra = new TreeSet<>();
        s.path("holidays").forEach(n -> extra.add(n.asText()));
        return new Dated(input, cols, s.path("cyclical").asBoolean(), s.path("calendar").asText(), extra);
    }

    /** US federal holidays of a year (the days themselves, not the observed weekdays). */
    static Set<LocalDate> usHolidays(int year) {
        Set<LocalDate> d = new java.util.HashSet<>();
        d.add(LocalDate.of(year, 1, 1));
        d.add(nth(year, 1, DayOfWeek.MONDAY, 3));
        d.add(nth(year, 2, DayOfWeek.MONDAY, 3));
        d.add(LocalDate.of(year, 5, 31).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
        d.add(LocalDate.of(year, 7, 4));
        d.add(nth(year, 9, DayOfWeek.MONDAY, 1));
        d.add(nth(year, 10, DayOfWeek.MONDAY, 2));
        d.add(LocalDate.of(year, 11, 11));
        d.add(nth(year, 11, DayOfWeek.THURSDAY, 4));
        d.add(LocalDate.of(year, 12, 25));
        return d;
    }

    private static LocalDate nth(int year, int month, DayOfWeek dow, int n) {
        return LocalDate.of(year, month, 1).with(TemporalAdjusters.dayOfWeekInMonth(n, dow));
    }

    final class Dated extends Fitted {
        private final List<String> cols;
        private final boolean cyclical;
        private final String calendar;
        private final TreeSet<String> extra;
        private final Schema output;
        private final int[] keep;

        Dated(Schema input, List<String> cols, boolean cyclical, String calendar, TreeSet<String> extra) {
            super(input);
            this.cols = cols;
            this.cyclical = cyclical;
            this.calendar = calendar;
            this.extra = extra;
            List<Field> out = new ArrayList<>();
            List<Integer> k = new ArrayList<>();
            for (int i = 0; i < input.size(); i++) {
                if (!cols.contains(input.fields().get(i).name())) {
                    out.add(input.fields().get(i));
                    k.add(i);
                }
            }
            for (String c : cols) {
                PARTS.forEach(part -> out.add(Field.of(c + "_" + part, DataType.INT)));
                if (cyclical) {
                    for (String part : List.of("month", "dow", "doy")) {
                        out.add(Field.of(c + "_" + part + "_sin", DataType.DOUBLE));
                        out.add(Field.of(c + "_" + part + "_cos", DataType.DOUBLE));
                    }
                }
            }
            this.keep = k.stream().mapToInt(Integer::intValue).toArray();
            this.output = new Schema(out);
        }

        @Override
        public Schema outputSchema() {
            return output;
        }

        @Override
        public Row apply(Row row) {
            Object[] v = new Object[output.size()];
            int o = 0;
            for (int i : keep) {
                v[o++] = row.get(i);
            }
            for (String c : cols) {
                Object raw = row.get(col(c));
                LocalDate d = raw == null ? null : raw instanceof LocalDate ld ? ld : ((Instant) raw).atZone(ZoneOffset.UTC).toLocalDate();
                if (d == null) {
                    o += PARTS.size() + (cyclical ? 6 : 0);
                    continue;
                }
                boolean holiday = extra.contains(d.toString()) || (calendar.equals("us") && usHolidays(d.getYear()).contains(d));
                v[o++] = (long) d.getYear();
                v[o++] = (long) d.getMonthValue();
                v[o++] = (long) d.getDayOfMonth();
                v[o++] = (long) d.getDayOfWeek().getValue();
                v[o++] = (long) d.getDayOfYear();
                v[o++] = d.getDayOfWeek().getValue() >= 6 ? 1L : 0L;
                v[o++] = holiday ? 1L : 0L;
                if (cyclical) {
                    double[] angles = {2 * Math.PI * (d.getMonthValue() - 1) / 12, 2 * Math.PI * (d.getDayOfWeek().getValue() - 1) / 7,
                        2 * Math.PI * (d.getDayOfYear() - 1) / d.lengthOfYear()};
                    for (double a : angles) {
                        v[o++] = Math.sin(a);
                        v[o++] = Math.cos(a);
                    }
                }
            }
            return new Row(output, v);
        }

        @Override
        ObjectNode state() {
            ObjectNode s = State.JSON.createObjectNode();
            cols.forEach(s.putArray("columns")::add);
            s.put("cyclical", cyclical).put("calendar", calendar);
            extra.forEach(s.putArray("holidays")::add);
            return s;
        }
    }
}
