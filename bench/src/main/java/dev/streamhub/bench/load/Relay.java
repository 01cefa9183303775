package dev.streamhub.bench.load;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocketClient;

/**
 * The server a relay run publishes to and reads from: StreamHub's relay API, or a peer such as
 * Nchan ({@code --peer nchan}). The load generator's code paths (publisher, readers, recorder,
 * offset checks) are the same for every relay; only the URLs, the status codes and how events
 * arrive differ. The POST bodies are byte-identical for every relay (see {@code RelayPublisher}).
 */
public interface Relay {

  /** StreamHub: {@code POST /v1/streams {"publisher":"external"}}, {@code POST /v1/streams/{id}/events}, its transports. */
  Relay STREAMHUB = new Relay() {
    @Override
    public String name() {
      return "streamhub";
    }

    @Override
    public Future<String> createStream(Shard shard, HttpClient client) {
      return shard.createExternalStreamOnHub();
    }

    @Override
    public String publishUri(String stream) {
      return "/v1/streams/" + stream + "/events";
    }

    @Override
    public boolean published(int status) {
      return status == 200;
    }

    @Override
    public Transport transport(String name, HttpClient client, WebSocketClient wsClient, Target target) {
      return Transport.create(name, client, wsClient, target);
    }
  };

  /** {@code streamhub} or the peer's name: the {@code target} of the record. */
  String name();

  /** A new, empty stream (or channel) the benchmark will publish to; its id. Call on the shard's event loop. */
  Future<String> createStream(Shard shard, HttpClient client);

  /** Where one publish request goes. */
  String publishUri(String stream);

  /** Whether a publish answered with {@code status} was accepted. */
  boolean published(int status);

  /** How readers read a stream on this relay. */
  Transport transport(String name, HttpClient client, WebSocketClient wsClient, Target target);
}
