package org.cogwork.features.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.cogwork.api.data.Row;
import org.cogwork.api.data.Schema;

/**
 * A small arithmetic language for constructed features: numbers, column names (or {@code [name with
 * spaces]}), {@code + - * / ^}, parentheses and the functions log, log1p, exp, sqrt, abs, min, max.
 * A missing input, a division by zero or a log of a non-positive number gives a missing value.
 */
final class Expression {
    private final String text;
    private final ToDoubleFunction<Row> eval;
    private final Set<String> columns;

    private Expression(String text, ToDoubleFunction<Row> eval, Set<String> columns) {
        this.text = text;
        this.eval = eval;
        this.columns = columns;
    }

    String text() {
        return text;
    }

    Set<String> columns() {
        return columns;
    }

    /** The value for a row, or NaN for a missing result. */
    double evaluate(Row row) {
        return eval.applyAsDouble(row);
    }

    /** @throws IllegalArgumentException saying where the expression is wrong */
    static Expression parse(String text, Schema schema) {
        Parser p = new Parser(text, schema);
        ToDoubleFunction<Row> f = p.sum();
        p.skipSpace();
        if (p.pos < text.length()) {
            throw p.error("unexpected '" + text.charAt(p.pos) + "'");
        }
        return new Expression(text, f, Set.copyOf(p.used));
    }

    private static final class Parser {
        final String s;
        final Schema schema;
        final List<String> used = new ArrayList<>();
        int pos;

        Parser(String s, Schema schema) {
            this.s = s;
            this.schema = schema;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("expression '" + s + "' at position " + (pos + 1) + ": " + what);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean eat(char c) {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        ToDoubleFunction<Row> sum() {
            ToDoubleFunction<Row> left = product();
            while (true) {
                if (eat('+')) {
                    ToDoubleFunction<Row> a = left;
                    ToDoubleFunction<Row> b = product();
                    left = r -> a.applyAsDouble(r) + b.applyAsDouble(r);
                } else if (eat('-')) {
                    ToDoubleFunction<Row> a = left;
                    ToDoubleFunction<Row> b = product();
                    left = r -> a.applyAsDouble(r) - b.applyAsDouble(r);
                } else {
                    return left;
                }
            }
        }

        ToDoubleFunction<Row> product() {
            ToDoubleFunction<Row> left = power();
            while (true) {
                if (eat('*')) {
                    ToDoubleFunction<Row> a = left;
                    ToDoubleFunction<Row> b = power();
                    left = r -> a.applyAsDouble(r) * b.applyAsDouble(r);
                } else if (eat('/')) {
                    ToDoubleFunction<Row> a = left;
                    ToDoubleFunction<Row> b = power();
                    left = r -> {
                        double d = b.applyAsDouble(r);
                        return d == 0 ? Double.NaN : a.applyAsDouble(r) / d;
                    };
                } else {
                    return left;
                }
            }
        }

        ToDoubleFunction<Row> power() {
            ToDoubleFunction<Row> base = unary();
            if (eat('^')) {
                ToDoubleFunction<Row> exp = power();
                return r -> Math.pow(base.applyAsDouble(r), exp.applyAsDouble(r));
            }
            return base;
        }

        ToDoubleFunction<Row> unary() {
            if (eat('-')) {
                ToDoubleFunction<Row> a = unary();
                return r -> -a.applyAsDouble(r);
            }
            return atom();
        }

        ToDoubleFunction<Row> atom() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("expression ends too early");
            }
            char c = s.charAt(pos);
            if (eat('(')) {
                ToDoubleFunction<Row> inner = sum();
                if (!eat(')')) {
                    throw error("missing ')'");
                }
                return inner;
            }
            if (Character.isDigit(c) || c == '.') {
                int start = pos;
                while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.'
                        || s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                    pos++;
                }
                double v;
                try {
                    v = Double.parseDouble(s.substring(start, pos));
                } catch (NumberFormatException e) {
                    throw error("bad number '" + s.substring(start, pos) + "'");
                }
                return r -> v;
            }
            String name;
            if (c == '[') {
                int end = s.indexOf(']', pos);
                if (end < 0) {
                    throw error("missing ']'");
                }
                name = s.substring(pos + 1, end);
                pos = end + 1;
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                    pos++;
                }
                name = s.substring(start, pos);
                if (eat('(')) {
                    return function(name);
                }
            } else {
                throw error("unexpected '" + c + "'");
            }
            int i = schema.indexOf(name);
            if (i < 0) {
                throw error("unknown column '" + name + "'");
            }
            if (!Params.numeric(schema.fields().get(i).type())) {
                throw error("column '" + name + "' is " + schema.fields().get(i).type() + ", not numeric");
            }
            used.add(name);
            return r -> State.number(r, i);
        }

        ToDoubleFunction<Row> function(String name) {
            List<ToDoubleFunction<Row>> args = new ArrayList<>();
            if (!eat(')')) {
                do {
                    args.add(sum());
                } while (eat(','));
                if (!eat(')')) {
                    throw error("missing ')' after the arguments of " + name);
                }
            }
            int want = name.equals("min") || name.equals("max") ? 2 : 1;
            if (args.size() != want) {
                throw error(name + " takes " + want + " argument" + (want == 1 ? "" : "s") + ", got " + args.size());
            }
            ToDoubleFunction<Row> a = args.get(0);
            return switch (name) {
                case "log" -> r -> {
                    double x = a.applyAsDouble(r);
                    return x > 0 ? Math.log(x) : Double.NaN;
                };
                case "log1p" -> r -> {
                    double x = a.applyAsDouble(r);
                    return x > -1 ? Math.log1p(x) : Double.NaN;
                };
                case "exp" -> r -> Math.exp(a.applyAsDouble(r));
                case "sqrt" -> r -> {
                    double x = a.applyAsDouble(r);
                    return x >= 0 ? Math.sqrt(x) : Double.NaN;
                };
                case "abs" -> r -> Math.abs(a.applyAsDouble(r));
                case "min" -> r -> Math.min(a.applyAsDouble(r), args.get(1).applyAsDouble(r));
                case "max" -> r -> Math.max(a.applyAsDouble(r), args.get(1).applyAsDouble(r));
                default -> throw error("unknown function '" + name + "'; use log, log1p, exp, sqrt, abs, min, max");
            };
        }
    }
}
