package org.cogwork.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cogwork.api.problem.InvalidFieldException;
import org.junit.jupiter.api.Test;

/**
 * The run search parser alone: what MLflow's syntax accepts compiles to bound SQL, and what it does not (or Cogwork
 * does not record) is refused with a message naming it. The database side is in {@link RegistryContractTest}.
 */
class RunSearchTest {
    static RunSearch filter(String f) {
        return RunSearch.compile(f, List.of());
    }

    static String refused(String f) {
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> filter(f), f);
        assertEquals("filter", e.field(), f);
        return e.getMessage();
    }

    static String refusedOrder(String... o) {
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> RunSearch.compile(null, List.of(o)));
        assertEquals("order_by", e.field());
        return e.getMessage();
    }

    @Test
    void runIdInAListCompilesToOneBindingPerValue() {
        RunSearch s = filter("attributes.run_id IN ('a1', \"b2\" , 'c''3')");
        assertEquals(" AND r.id IN (:b0, :b1, :b2)", s.where.toString());
        assertEquals(List.of("a1", "b2", "c'3"), List.copyOf(s.binds.values()));
        RunSearch not = filter("run_id NOT IN ('x') and metrics.acc > 0.5");
        assertTrue(not.where.toString().startsWith(" AND r.id NOT IN (:b0) AND EXISTS (SELECT 1 FROM latest_metrics"), not.where.toString());
        assertEquals(List.of("x", "acc", 0.5), List.copyOf(not.binds.values()));
    }

    @Test
    void bareNamesAreAttributesAsInMlflow() {
        RunSearch s = filter("run_name ILIKE '%Forest%' AND status = 'finished'");
        assertEquals(" AND LOWER(r.name) LIKE LOWER(:b0) AND r.status = :b1", s.where.toString());
        assertEquals(List.of("%Forest%", "FINISHED"), List.copyOf(s.binds.values()));
        assertEquals(" AND r.start_time >= :b0", filter("created >= 1700000000000").where.toString());
        assertEquals(1_700_000_000_000L, filter("created >= 1700000000000").binds.get("b0"));
        assertEquals(" AND r.name = :b0", filter("\"run name\" = 'x'").where.toString());
        assertEquals(" AND r.name LIKE :b0", filter("attributes.`run name` LIKE 'x%'").where.toString());
        assertEquals(" AND r.end_time < :b0", filter("attr.end_time < 5").where.toString());
        RunSearch user = filter("user_id = 'alice'");
        assertTrue(user.where.toString().contains("run_tags t WHERE t.run_id = r.id AND t.tag_key = :b0 AND t.tag_value = :b1"), user.where.toString());
        assertEquals(List.of("mlflow.user", "alice"), List.copyOf(user.binds.values()));
    }

    @Test
    void keysMayBeQuotedAndValuesMayHoldAndOrAndQuotes() {
        RunSearch s = filter("metrics.`f1 score` >= 0.9 and params.\"learning rate\" = '0.1' and tags.note = 'this OR that and ''more'''");
        assertEquals(List.of("f1 score", 0.9, "learning rate", "0.1", "note", "this OR that and 'more'"), List.copyOf(s.binds.values()));
        assertEquals(List.of("mlflow.source.type", "NOTEBOOK"), List.copyOf(filter("tags.mlflow.source.type = 'NOTEBOOK'").binds.values()));
        assertEquals(List.of("android", "x"), List.copyOf(filter("params.android='x'").binds.values()), "no space needed around =");
        assertEquals(List.of("a", 1.0E-3), List.copyOf(filter("metric.a<=1e-3").binds.values()));
    }

    @Test
    void orderByAcceptsAttributesBareOrPrefixed() {
        RunSearch s = RunSearch.compile(null, List.of("attributes.start_time DESC", "run_name ASC", "metrics.`f1 score` desc", "status"));
        assertEquals(List.of("CASE WHEN r.start_time IS NULL THEN 1 ELSE 0 END", "r.start_time DESC",
                "CASE WHEN r.name IS NULL THEN 1 ELSE 0 END", "r.name ASC"), s.order.subList(0, 4));
        assertTrue(s.order.get(5).endsWith(" DESC") && s.order.get(5).contains("latest_metrics"), s.order.get(5));
        assertEquals("r.status ASC", s.order.get(7));
        assertEquals(List.of("r.start_time DESC", "r.id ASC"), s.order.subList(8, 10), "then newest first, then by id");
        assertEquals("r.id DESC", RunSearch.compile(null, List.of("run_id DESC")).order.get(1));
        assertEquals("r.end_time ASC", RunSearch.compile(null, List.of("attr.end_time")).order.get(1));
        assertTrue(RunSearch.compile(null, List.of("user_id")).order.get(1).contains("run_tags"));
    }

    @Test
    void orIsRefusedPlainlyNotReadAsPartOfAValue() {
        // the earlier parser read "'x' OR status = 'y'" as one quoted string
        String m = refused("run_name = 'x' OR status = 'y'");
        assertTrue(m.contains("OR is not supported"), m);
        assertTrue(refused("metrics.a > 1 or metrics.b > 2").contains("OR is not supported"));
        assertTrue(refused("metrics.a > 1 AND metrics.b > 2 OR params.c = 'd'").contains("OR is not supported"));
    }

    @Test
    void whatMlflowLacksOrCogworkDoesNotRecordIsNamed() {
        assertTrue(refused("(metrics.a > 1)").contains("parentheses are not supported"));
        assertTrue(refused("NOT status = 'FAILED'").contains("NOT is not supported"));
        assertTrue(refused("tags.x IS NULL").contains("IS [NOT] NULL is not supported"));
        assertTrue(refused("start_time BETWEEN 1 AND 2").contains("BETWEEN is not supported"));
        assertTrue(refused("datasets.name = 'iris'").contains("datasets are not recorded"));
        assertTrue(refused("artifact_uri = 'x'").contains("artifact_uri is not searchable"));
        assertTrue(refused("params.a IN ('x')").contains("only the run_id attribute supports IN"));
        assertTrue(refused("status NOT IN ('FAILED')").contains("only the run_id attribute supports NOT IN"));
        assertTrue(refused("metrics.a IN ('1')").contains("metrics.a is a number"));
        assertTrue(refused("metrics.a LIKE '1%'").contains("metrics.a is a number"));
        assertTrue(refused("start_time ILIKE '1%'").contains("start_time is a number"));
        assertTrue(refused("foo = 'x'").contains("unknown attribute 'foo'"));
        assertTrue(refused("models.x = 'y'").contains("unknown entity 'models'"));
        assertTrue(refused("metrics.a <> 1").contains("(use !=)"));
        assertTrue(refused("metrics.a == 1").contains("(use =)"));
    }

    @Test
    void malformedAndHostileFiltersAreRefusedAsBadInput() {
        List<String> hostile = new ArrayList<>(List.of("metrics.acc >> 1", "metrics.acc > 'x'", "params.a = 1", "status = FINISHED",
                "run_name = 'unterminated", "run_id IN ('a'", "run_id IN 'a'", "run_id IN ()", "run_id IN ('a',)", "run_id IN (1, 2)",
                "run_id IN ('a') ; DROP TABLE runs", "metrics.acc > 1; DELETE FROM runs", "metrics.a > 1 AND", "AND metrics.a > 1",
                "metrics.a > 1 AND AND metrics.b > 1", "metrics. > 1", ". > 1", "metrics.a", "metrics.a >", "= 1", "metrics.a > 1 2",
                "params.`` = 'x'", "params.`unterminated = 'x'", "params.a = `x`", "\u0000", "metrics.a > 1\u0000",
                "params.a = 'x' /* comment */", "params.a = 'x' -- comment", "metrics.a > 0x10", "metrics.a > NaN",
                "run_id = 'a' UNION SELECT id FROM runs", "'x' = run_name", "run_name ~ 'x'"));
        hostile.add("metrics.a > 1" + " and metrics.a > 1".repeat(RunSearch.MAX_CLAUSES));
        hostile.add("run_id IN (" + "'x', ".repeat(RunSearch.MAX_IN_VALUES) + "'y')");
        hostile.add("params.a = '" + "x".repeat(RunSearch.MAX_LENGTH) + "'");
        hostile.add("(".repeat(10_000));
        for (String f : hostile) {
            String m = refused(f);
            assertFalse(m.length() > 2000, "the message stays short: " + m.length());
        }
        assertEquals("order_by", assertThrows(InvalidFieldException.class, () -> RunSearch.compile("", List.of("metrics.a DESC; DROP TABLE runs"))).field());
        assertTrue(refusedOrder("metrics.a DESC ASC").contains("expected <identifier> [ASC|DESC]"));
        assertTrue(refusedOrder("foo ASC").contains("unknown attribute 'foo'"));
        assertTrue(refusedOrder("datasets.name").contains("datasets are not recorded"));
        assertTrue(refusedOrder("  ").contains("empty entry"));
        assertTrue(refusedOrder(new ArrayList<>(java.util.Collections.nCopies(RunSearch.MAX_ORDER_BY + 1, "run_name")).toArray(String[]::new))
                .contains("at most"));
    }

    @Test
    void onlyWhitelistedTextReachesTheSql() {
        RunSearch s = filter("params.`a'; DROP TABLE runs; --` = 'x'' OR 1=1 --' and run_id IN ('\") OR (1=1')");
        assertFalse(s.where.toString().contains("DROP") || s.where.toString().contains("1=1"), s.where.toString());
        assertEquals(List.of("a'; DROP TABLE runs; --", "x' OR 1=1 --", "\") OR (1=1"), List.copyOf(s.binds.values()));
        RunSearch o = RunSearch.compile(null, List.of("tags.`x) DESC, (SELECT 1` DESC"));
        assertFalse(String.join(",", o.order).contains("SELECT 1`"), o.order.toString());
    }
}
