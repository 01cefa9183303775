package dev.streamhub.internal;

import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link DirectWrites} and {@link DeflaterSwap} on whatever vertx-core is on the class path, using
 * vertx-core alone (no vertx-web, no vertx-junit5), so it runs with another vertx-core jar swapped in
 * for the build's: how the tricks were checked on the 5.1.x line (README, "Vert.x internals").
 * Prints, per switch, whether each engaged and that 200 echoes still arrive in order; exits non-zero
 * when a switched-on trick did not engage.
 *
 * <pre>
 * mvn -q -pl verticles dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 * java -cp verticles/target/classes:verticles/target/test-classes:$(sed 's#vertx-core/5.0.8/vertx-core-5.0.8#vertx-core/5.1.10/vertx-core-5.1.10#' /tmp/cp.txt) \
 *     dev.streamhub.internal.InternalsProbe
 * </pre>
 */
public final class InternalsProbe {
  private InternalsProbe() {}

  private static <T> T get(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws Exception {
    System.out.println("vertx-core: " + Vertx.class.getProtectionDomain().getCodeSource().getLocation());
    Vertx vertx = Vertx.vertx();
    int failures = 0;
    System.out.println("DirectWrites.available(): " + DirectWrites.available());
    for (boolean on : new boolean[] {true, false}) {
      Promise<Boolean> applied = Promise.promise();
      Promise<List<Boolean>> deflate = Promise.promise();
      HttpServer server = get(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setStrictThreadMode(true)
          .setPerMessageWebSocketCompressionSupported(true)).requestHandler(req -> req.toWebSocket().onSuccess(ws -> {
            boolean swapped = DeflaterSwap.create(on).apply(req.connection(), ChannelOutboundHandlerAdapter::new);
            deflate.tryComplete(List.of(swapped, DeflaterSwap.hasNettyEncoder(req.connection())));
            applied.tryComplete(DirectWrites.create(on).apply(ws));
            ws.textMessageHandler(t -> { if (t.equals("bye")) ws.close((short) 4000, "done"); else ws.writeTextMessage("echo " + t); });
          })).listen());
      // compression offered only to check the deflater swap (the placeholder encoder then stands where Netty's
      // was, so nothing is written on that socket); the echo check uses a second, uncompressed socket below
      WebSocketClient deflating = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true));
      get(deflating.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.actualPort()).setURI("/ws")));
      List<Boolean> swap = get(deflate.future());
      System.out.println("switch " + (on ? "on " : "off") + ": DeflaterSwap [swapped, Netty's encoder left] = " + swap);
      failures += on && !swap.equals(List.of(true, false)) ? 1 : 0;
      boolean directOnFirst = get(applied.future());
      Promise<Boolean> applied2 = Promise.promise();
      server.close();
      HttpServer plain = get(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setStrictThreadMode(true))
          .requestHandler(req -> req.toWebSocket().onSuccess(ws -> {
            applied2.tryComplete(DirectWrites.create(on).apply(ws));
            ws.textMessageHandler(t -> { if (t.equals("bye")) ws.close((short) 4000, "done"); else ws.writeTextMessage("echo " + t); });
          })).listen());
      WebSocketClient client = vertx.createWebSocketClient();
      WebSocket ws = get(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(plain.actualPort()).setURI("/ws")));
      List<String> got = Collections.synchronizedList(new ArrayList<>());
      Promise<Void> all = Promise.promise();
      Promise<Short> closed = Promise.promise();
      ws.textMessageHandler(t -> { got.add(t); if (got.size() == 200) all.tryComplete(); });
      ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
      for (int i = 0; i < 200; i++) ws.writeTextMessage(Integer.toString(i));
      get(all.future());
      boolean inOrder = true;
      for (int i = 0; i < 200; i++) inOrder &= got.get(i).equals("echo " + i);
      ws.writeTextMessage("bye");
      boolean direct = get(applied2.future());
      short status = get(closed.future());
      System.out.println("switch " + (on ? "on " : "off") + ": DirectWrites.apply = " + direct + " (deflating socket: " + directOnFirst
          + "), 200 echoes in order = " + inOrder + ", close status = " + status);
      failures += (on && !(direct && directOnFirst)) || !inOrder || status != 4000 ? 1 : 0;
      client.close(); deflating.close(); plain.close();
    }
    vertx.close();
    System.exit(failures == 0 ? 0 : 1);
  }
}
