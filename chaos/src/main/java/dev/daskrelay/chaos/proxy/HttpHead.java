package dev.daskrelay.chaos.proxy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The head of one HTTP/1.1 message as it came (its raw bytes are forwarded unchanged) with the parts the proxy needs:
 * the start line, the headers, and how the body is framed.
 *
 * @param raw       the bytes of the start line and headers, through the blank line
 * @param startLine {@code GET /api/v1/pods HTTP/1.1} or {@code HTTP/1.1 200 OK}
 * @param headers   name/value pairs in order
 */
public record HttpHead(byte[] raw, String startLine, List<String[]> headers) {

    private static final int MAX_HEAD = 64 * 1024;

    /** Reads a head; null when the stream ended cleanly before the first byte (a closed keep-alive connection). */
    public static HttpHead read(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                if (buf.size() == 0) {
                    return null;
                }
                throw new EOFException("stream ended inside an HTTP head");
            }
            buf.write(b);
            if (buf.size() > MAX_HEAD) {
                throw new IOException("HTTP head longer than " + MAX_HEAD + " bytes");
            }
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1, 3 -> b == '\n' ? state + 1 : (b == '\r' ? 1 : 0);
                default -> 0;
            };
        }
        byte[] raw = buf.toByteArray();
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n");
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
            }
        }
        return new HttpHead(raw, lines[0], List.copyOf(headers));
    }

    /** The first value of a header (case-insensitive name), or null. */
    public String header(String name) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                return h[1];
            }
        }
        return null;
    }

    /** Request: the method. */
    public String method() {
        return startLine.split(" ", 3)[0];
    }

    /** Request: the target. */
    public String target() {
        String[] p = startLine.split(" ", 3);
        return p.length > 1 ? p[1] : "";
    }

    /** Response: the status code. */
    public int status() {
        String[] p = startLine.split(" ", 3);
        try {
            return p.length > 1 ? Integer.parseInt(p[1]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public boolean chunked() {
        String te = header("Transfer-Encoding");
        return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
    }

    /** The Content-Length, or -1 when there is none. */
    public long contentLength() {
        String cl = header("Content-Length");
        if (cl == null) {
            return -1;
        }
        try {
            return Long.parseLong(cl.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public boolean connectionClose() {
        String c = header("Connection");
        return c != null && c.toLowerCase(Locale.ROOT).contains("close");
    }
}
