package descent.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON reader for small trusted-shape documents such as safetensors headers,
 * which the JDK cannot parse on its own. Objects become {@code LinkedHashMap}s (duplicate keys
 * are errors), arrays {@code List}s, integers {@code Long}, other numbers {@code Double}, and
 * {@code null} Java null. Nesting is bounded so hostile input cannot exhaust the stack.
 */
public final class Json {

    /** A syntax error at a character offset of the text. */
    static final class ParseException extends Exception {
        final String reason;
        final int offset;

        ParseException(String reason, int offset) {
            super(reason + " at character " + offset);
            this.reason = reason;
            this.offset = offset;
        }
    }

    private static final int MAX_DEPTH = 64;

    private final String s;
    private int i;

    private Json(String text) {
        this.s = text;
    }

    /** Parses a whole JSON document read from {@code source}; errors name the source and the character. */
    public static Object read(String text, String source) throws java.io.IOException {
        try {
            return parse(text);
        } catch (ParseException e) {
            throw new java.io.IOException(source + ": invalid JSON: " + e.getMessage());
        }
    }

    static Object parse(String text) throws ParseException {
        Json p = new Json(text);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.i != text.length()) {
            throw new ParseException("unexpected text after the JSON value", p.i);
        }
        return v;
    }

    private Object value(int depth) throws ParseException {
        if (depth > MAX_DEPTH) {
            throw new ParseException("nesting deeper than " + MAX_DEPTH, i);
        }
        if (i >= s.length()) {
            throw new ParseException("unexpected end of JSON", i);
        }
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw new ParseException("unexpected character '" + c + "'", i);
            }
        };
    }

    private Map<String, Object> object(int depth) throws ParseException {
        Map<String, Object> out = new LinkedHashMap<>();
        i++;
        skipSpace();
        if (peek() == '}') {
            i++;
            return out;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw new ParseException("expected a string key", i);
            }
            int at = i;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object v = value(depth + 1);
            if (out.containsKey(key)) {
                throw new ParseException("duplicate key \"" + key + "\"", at);
            }
            out.put(key, v);
            skipSpace();
            if (peek() == ',') {
                i++;
            } else {
                expect('}');
                return out;
            }
        }
    }

    private List<Object> array(int depth) throws ParseException {
        List<Object> out = new ArrayList<>();
        i++;
        skipSpace();
        if (peek() == ']') {
            i++;
            return out;
        }
        while (true) {
            skipSpace();
            out.add(value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                i++;
            } else {
                expect(']');
                return out;
            }
        }
    }

    private String string() throws ParseException {
        i++; // the opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw new ParseException("unterminated string", i);
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw new ParseException("control character in string", i - 1);
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw new ParseException("unterminated escape", i);
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw new ParseException("truncated \\u escape", i);
                    }
                    int code = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i + k), 16);
                        if (d < 0) {
                            throw new ParseException("bad hex digit in \\u escape", i + k);
                        }
                        code = code * 16 + d;
                    }
                    i += 4;
                    sb.append((char) code);
                }
                default -> throw new ParseException("unknown escape \\" + e, i - 1);
            }
        }
    }

    private Object number() throws ParseException {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (peek() == '0') {
            i++;
        } else if (!digits()) {
            throw new ParseException("malformed number", start);
        }
        boolean integral = true;
        if (peek() == '.') {
            i++;
            integral = false;
            if (!digits()) {
                throw new ParseException("malformed number", start);
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            integral = false;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!digits()) {
                throw new ParseException("malformed number", start);
            }
        }
        String text = s.substring(start, i);
        if (integral) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new ParseException("integer " + text + " out of range", start);
            }
        }
        return Double.parseDouble(text);
    }

    private boolean digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i > start;
    }

    private Object literal(String word, Object v) throws ParseException {
        if (!s.startsWith(word, i)) {
            throw new ParseException("unexpected literal", i);
        }
        i += word.length();
        return v;
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void expect(char c) throws ParseException {
        if (peek() != c) {
            throw new ParseException(i >= s.length() ? "unexpected end of JSON, expected '" + c + "'"
                    : "expected '" + c + "' but found '" + peek() + "'", i);
        }
        i++;
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
