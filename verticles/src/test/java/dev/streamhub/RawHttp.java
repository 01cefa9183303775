package dev.streamhub;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain {@link Socket}, for tests that must decide every read themselves: one byte
 * at a time, through an inflater, with a small receive buffer. Nothing is buffered here, so each
 * {@code read} of {@link #in()} or of a {@link #body} is at most one read on the socket. Blocking:
 * test threads only.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /**
   * Connects to 127.0.0.1:{@code port}; a {@code receiveBufferBytes} above 0 sets SO_RCVBUF before
   * the connection is made (so the TCP window is negotiated for it). Reads time out after 20 s.
   */
  public static RawHttp connect(int port, int receiveBufferBytes) throws IOException {
    Socket socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.setSoTimeout(20_000);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return new RawHttp(socket);
  }

  public Socket socket() {
    return socket;
  }

  /** The socket's own stream, unbuffered (say, for WebSocket frames after a 101). */
  public InputStream in() {
    return in;
  }

  public OutputStream out() {
    return out;
  }

  /** Sends a request with {@code Host}, the given headers, and {@code Content-Length} when there is a body. */
  public RawHttp send(String method, String path, Map<String, String> headers, byte[] body) throws IOException {
    StringBuilder head = new StringBuilder().append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      out.write(body);
    }
    out.flush();
    return this;
  }

  /** Reads the status line and headers, byte by byte, so nothing of the body is consumed. */
  public Head readHead() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed inside the response head: " + bytes.toString(StandardCharsets.US_ASCII));
      }
      bytes.write(b);
      byte[] sofar = bytes.toByteArray();
      int n = sofar.length;
      if (n >= 4 && sofar[n - 4] == '\r' && sofar[n - 3] == '\n' && sofar[n - 2] == '\r' && sofar[n - 1] == '\n') {
        break;
      }
    }
    String[] lines = bytes.toString(StandardCharsets.US_ASCII).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
    }
    return new Head(status, headers);
  }

  /** The body of the response whose head was just read: de-chunked, or bounded by its length. */
  public InputStream body(Head head) {
    if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
      return new ChunkedBody(in);
    }
    String length = head.header("Content-Length");
    return new LengthBody(in, length == null ? Long.MAX_VALUE : Long.parseLong(length));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** Status and headers; header names are case-insensitive. */
  public record Head(int status, Map<String, String> headers) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  /** {@code Transfer-Encoding: chunked} decoded: the payload bytes only, then -1 after the last chunk. */
  private static final class ChunkedBody extends InputStream {
    private final InputStream in;
    private long remaining;
    private boolean started;
    private boolean finished;

    ChunkedBody(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      if (!nextChunk()) {
        return -1;
      }
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed inside a chunk");
      }
      remaining--;
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!nextChunk()) {
        return -1;
      }
      int n = in.read(buf, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new EOFException("connection closed inside a chunk");
      }
      remaining -= n;
      return n;
    }

    /** Moves to the next chunk once the current one is used up; false after the last one. */
    private boolean nextChunk() throws IOException {
      if (finished) {
        return false;
      }
      if (remaining > 0) {
        return true;
      }
      if (started) {
        expectLineEnd(line());
      }
      started = true;
      String size = line();
      int extension = size.indexOf(';');
      remaining = Long.parseLong((extension < 0 ? size : size.substring(0, extension)).trim(), 16);
      if (remaining == 0) {
        while (!line().isEmpty()) {
          // trailers, none expected
        }
        finished = true;
        return false;
      }
      return true;
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new EOFException("connection closed inside chunk framing");
        }
        if (b != '\r') {
          line.append((char) b);
        }
      }
      return line.toString();
    }

    private static void expectLineEnd(String rest) throws IOException {
      if (!rest.isEmpty()) {
        throw new IOException("chunk longer than its size: '" + rest + "'");
      }
    }
  }

  /** A body of known length (or up to the end of the connection). */
  private static final class LengthBody extends InputStream {
    private final InputStream in;
    private long remaining;

    LengthBody(InputStream in, long length) {
      this.in = in;
      this.remaining = length;
    }

    @Override
    public int read() throws IOException {
      if (remaining == 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      int n = in.read(buf, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }
  }
}
