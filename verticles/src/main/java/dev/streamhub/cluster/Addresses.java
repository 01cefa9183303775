package dev.streamhub.cluster;

/**
 * Every event-bus address the hub uses, local or clustered. These names are part of the worker
 * contract (the README documents them) and are kept stable.
 */
public final class Addresses {

  /** Prefix of the addresses events of one stream are published on, after they are in the log. */
  public static final String STREAM_PREFIX = "streamhub.stream.";
  /**
   * Where each node publishes the batches its writers appended, many streams to one message, for
   * the other nodes' readers (JVM-only, {@code dev.streamhub.broker.RelayedBatchesCodec}); each node
   * then hands them to its readers and publishes them on the streams' addresses for its own JVM.
   */
  public static final String LIVE = "streamhub.live";
  /** Prefix of the point-to-point addresses generation requests for one model are sent to. */
  public static final String GENERATE_PREFIX = "streamhub.generate.";
  /** Prefix of the addresses the worker generating a stream takes cancel requests on. */
  public static final String CANCEL_PREFIX = "streamhub.cancel.";
  /**
   * Prefix of the address each edge node answers "how many readers of this stream are open here?"
   * on ({@code streamhub.readers.<node id>}): request {@code {"stream"}}, reply {@code {"readers","left_at"}}
   * (readers open now, epoch ms the last one left or 0). Asked by the disconnect watch of a stream that
   * opted in to {@code cancel_on_disconnect}.
   */
  public static final String READERS_PREFIX = "streamhub.readers.";
  /** Name of the shared map of the streams that opted in to {@code cancel_on_disconnect}: stream id to grace ms. */
  public static final String DISCONNECT_MAP = "streamhub.disconnect";
  /**
   * Prefix of the one address per worker node ({@code streamhub.node-cancel.<node id>}) the hub sends
   * {@code {"stream", "reason"}} to, to cancel a generation the stream's lease says runs there; the
   * node hands it to the generation's {@link #cancel} consumer, which is registered on that node only
   * (a clustered registration per generation was a Hazelcast write, serialized per worker, on the
   * path of every stream's creation).
   */
  public static final String NODE_CANCEL_PREFIX = "streamhub.node-cancel.";
  /**
   * Where workers outside the JVM (over the TCP bridge) send {@code {"stream","events":[...]}} to
   * append events to a stream they generate; the reply is {@code {"stream","first_offset","next_offset","finished"}}.
   */
  public static final String PUBLISH = "streamhub.publish";
  /** Name of the shared map of the models workers serve (model id to description). */
  public static final String MODELS_MAP = "streamhub.models";
  /** Name of the cluster's stream log map ({@code streamlog.hazelcast.HazelcastStreamLog}); {@code streamhub.log*} in the Hazelcast configs. */
  public static final String LOG_MAP = "streamhub.log";
  /** Name of the shared map of liveness leases: stream id to the worker node generating it and its beat. */
  public static final String LEASES_MAP = "streamhub.leases";
  /** Name of the shared map of node identity cards: node id to roles, HTTP address, connections. */
  public static final String NODES_MAP = "streamhub.nodes";

  private Addresses() {}

  public static String stream(String streamId) {
    return STREAM_PREFIX + streamId;
  }

  public static String generate(String model) {
    return GENERATE_PREFIX + model;
  }

  public static String nodeCancel(String nodeId) {
    return NODE_CANCEL_PREFIX + nodeId;
  }

  public static String cancel(String streamId) {
    return CANCEL_PREFIX + streamId;
  }

  public static String readers(String nodeId) {
    return READERS_PREFIX + nodeId;
  }
}
