package org.cogwork.training.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.cogwork.api.data.Row;

/**
 * Deterministic splits of row positions: random, stratified by the target (each class split in the same
 * proportion) and time-based (the latest rows are the test set, so nothing from the future trains the model).
 * The same seed and rows always give the same split.
 */
final class Splits {
    private Splits() {
    }

    /** Train and test positions. */
    record Split(List<Integer> train, List<Integer> test) {
    }

    static Split split(List<Row> rows, String method, double testFraction, int targetIndex, int timeIndex, long seed) {
        return switch (method) {
            case "time" -> time(rows, testFraction, timeIndex);
            case "stratified" -> stratified(rows, testFraction, targetIndex, seed);
            default -> random(range(rows.size()), testFraction, seed);
        };
    }

    static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    static Split random(List<Integer> positions, double testFraction, long seed) {
        List<Integer> p = new ArrayList<>(positions);
        Collections.shuffle(p, new Random(seed));
        int nTest = (int) Math.round(p.size() * testFraction);
        List<Integer> test = new ArrayList<>(p.subList(0, nTest));
        List<Integer> train = new ArrayList<>(p.subList(nTest, p.size()));
        Collections.sort(test);
        Collections.sort(train);
        return new Split(train, test);
    }

    static Map<String, List<Integer>> byClass(List<Row> rows, List<Integer> positions, int targetIndex) {
        Map<String, List<Integer>> m = new TreeMap<>();
        for (int i : positions) {
            m.computeIfAbsent(String.valueOf(rows.get(i).get(targetIndex)), k -> new ArrayList<>()).add(i);
        }
        return m;
    }

    static Split stratified(List<Row> rows, double testFraction, int targetIndex, long seed) {
        return stratified(rows, range(rows.size()), testFraction, targetIndex, seed);
    }

    static Split stratified(List<Row> rows, List<Integer> positions, double testFraction, int targetIndex, long seed) {
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (List<Integer> members : byClass(rows, positions, targetIndex).values()) {
            Split s = random(members, testFraction, seed);
            train.addAll(s.train());
            test.addAll(s.test());
        }
        Collections.sort(train);
        Collections.sort(test);
        return new Split(train, test);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Split time(List<Row> rows, double testFraction, int timeIndex) {
        List<Integer> p = range(rows.size());
        p.sort(Comparator.comparing(i -> (Comparable) rows.get(i).get(timeIndex), Comparator.nullsFirst(Comparator.naturalOrder())));
        int nTest = (int) Math.round(p.size() * testFraction);
        return new Split(new ArrayList<>(p.subList(0, p.size() - nTest)), new ArrayList<>(p.subList(p.size() - nTest, p.size())));
    }

    /** K folds of the positions (stratified when {@code targetIndex >= 0}), each a train/validation split. */
    static List<Split> folds(List<Row> rows, List<Integer> positions, int k, int targetIndex, long seed) {
        List<List<Integer>> groups = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            groups.add(new ArrayList<>());
        }
        List<List<Integer>> strata = targetIndex >= 0 ? new ArrayList<>(byClass(rows, positions, targetIndex).values())
                : List.of(new ArrayList<>(positions));
        int next = 0;
        for (List<Integer> s : strata) {
            List<Integer> shuffled = new ArrayList<>(s);
            Collections.shuffle(shuffled, new Random(seed));
            for (int i : shuffled) {
                groups.get(next++ % k).add(i);
            }
        }
        List<Split> out = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            List<Integer> train = new ArrayList<>();
            for (int g = 0; g < k; g++) {
                if (g != f) {
                    train.addAll(groups.get(g));
                }
            }
            Collections.sort(train);
            List<Integer> val = new ArrayList<>(groups.get(f));
            Collections.sort(val);
            out.add(new Split(train, val));
        }
        return out;
    }
}
