package dev.streamhub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link HubClient} used inline for one request survives a garbage collection in the middle of
 * it: Vert.x 5 shuts down an HTTP client nothing references (eclipse-vertx/vert.x#5839), so the
 * helper keeps each client reachable while its requests are in flight. Its SSE requests go through
 * the plain HttpClient, whose connect references the pool but not the client the cleaner watches:
 * without the hold they fail with "Pool closed", as on CI. (Its WebClient requests, {@code get},
 * {@code post}..., keep their client reachable through the request in Vert.x 5.0.8, so a test of
 * them here could not fail; they are held all the same.)
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HubClientTest {

  private static final String SSE_BODY = "data: connected\n\n";

  @Test
  void anInlineSseReadSurvivesAGarbageCollectionWhileItsConnectIsPending(Vertx vertx) throws IOException {
    assertEquals("200 " + SSE_BODY, answeredAfterAPendingConnect(vertx, client -> client.readSse("/pending")
        .map(resp -> resp.status() + " " + resp.body())));
  }

  @Test
  void anInlineLiveSseSurvivesAGarbageCollectionWhileItsConnectIsPending(Vertx vertx) throws IOException {
    assertEquals("200 connected", answeredAfterAPendingConnect(vertx, client -> client
        .openSse("/pending", MultiMap.caseInsensitiveMultiMap())
        .compose(live -> live.ended().map(frames -> live.status() + " " + frames.get(0).data()))));
  }

  /**
   * Makes {@code request} on a client nothing else references while its connect is pending, forces
   * garbage collections, then answers it: yields what {@code request} yields. The dangerous moment
   * is before the request has a connection (a client's shutdown lets a request on a connection
   * finish, but fails one still connecting). A server socket whose accept queue is full leaves the
   * connect pending (the kernel drops the SYN; the client tries again after a second); the test
   * asserts that it was (the client had established no connection through the collections, and one
   * once answered), and that the client lived through them, held by its request in flight. Then it
   * makes room, accepts the client's connection and answers {@code 200} with an SSE body of one
   * frame, {@code data: connected}.
   */
  private static String answeredAfterAPendingConnect(Vertx vertx, Function<HubClient, Future<String>> request) throws IOException {
    int port;
    String answer;
    Inline inline;
    try (ServerSocket backlogged = new ServerSocket()) {
      backlogged.bind(new InetSocketAddress("127.0.0.1", 0), 1);
      port = backlogged.getLocalPort();
      List<Socket> fillers = fillAcceptQueue(port);

      inline = Inline.request(vertx, port, request);
      collectGarbage(vertx);
      assertEquals(0, inline.connections().getAsLong(), "the connect is still pending: the client has no connection yet");
      assertFalse(inline.response().isComplete(), "the request is still pending: " + inline.response());
      assertEquals(1, HubClient.inFlight(inline.client().get()), "the client lived through the collections, held by its request");

      Set<Integer> fillerPorts = new HashSet<>();
      for (Socket filler : fillers) {
        fillerPorts.add(filler.getLocalPort());
        filler.close();
      }
      backlogged.setSoTimeout(10_000);
      try (Socket accepted = acceptOtherThan(backlogged, fillerPorts)) {
        accepted.setSoTimeout(10_000);
        String head = readHead(accepted.getInputStream());
        assertTrue(head.startsWith("GET /pending HTTP/1.1\r\n"), head);
        accepted.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: "
            + SSE_BODY.length() + "\r\n\r\n" + SSE_BODY).getBytes(StandardCharsets.US_ASCII));
        answer = inline.response().timeout(15, TimeUnit.SECONDS).await();
      }
    }
    assertEquals(1, inline.connections().getAsLong(), "the request was answered on the one connection the client made");
    assertEquals(0, HubClient.inFlight(inline.client().get()), "the hold is released when the request completes");
    return answer;
  }

  /**
   * A request on a client made inline: what the test keeps of it, none of which keeps the client
   * reachable (a weak reference, its connection count, the response).
   */
  private record Inline(WeakReference<HubClient> client, LongSupplier connections, Future<String> response) {
    /** Made in a frame of its own, so that no local variable of the test's frame references the client. */
    static Inline request(Vertx vertx, int port, Function<HubClient, Future<String>> request) {
      HubClient client = new HubClient(vertx, port);
      return new Inline(new WeakReference<>(client), client.connections(), request.apply(client));
    }
  }

  /** Connects to {@code port} until a connect times out (a loopback connect answers in far less than its 1 s): the accept queue is full. */
  private static List<Socket> fillAcceptQueue(int port) throws IOException {
    List<Socket> fillers = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      Socket filler = new Socket();
      try {
        filler.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        fillers.add(filler);
      } catch (SocketTimeoutException full) {
        filler.close();
        return fillers;
      }
    }
    throw new AssertionError("the accept queue of a backlog-1 socket never filled");
  }

  /** Accepts connections until one comes from a port not in {@code skip}. */
  private static Socket acceptOtherThan(ServerSocket server, Set<Integer> skip) throws IOException {
    for (int i = 0; i < 32; i++) {
      Socket accepted = server.accept();
      if (!skip.contains(accepted.getPort())) {
        return accepted;
      }
      accepted.close();
    }
    throw new AssertionError("the client never connected");
  }

  /** Reads an HTTP request head, through the blank line. */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("the connection closed after " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /**
   * Forces collections, and gives the cleaner thread time to act on what they found (an
   * unreferenced client is shut down within the first round).
   */
  private static void collectGarbage(Vertx vertx) {
    for (int i = 0; i < 5; i++) {
      System.gc();
      TestHubs.delay(vertx, 100).timeout(10, TimeUnit.SECONDS).await();
    }
  }
}
