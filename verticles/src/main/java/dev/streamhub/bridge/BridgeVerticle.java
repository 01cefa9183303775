package dev.streamhub.bridge;

import dev.streamhub.cluster.Addresses;
import dev.streamhub.config.BridgeConfig;
import dev.streamhub.publish.Publisher;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP event-bus bridge for workers in other languages (frame protocol in
 * {@code workers/README.md}). Workers may only register for generation requests
 * ({@code streamhub.generate.<model>}) and cancels ({@code streamhub.cancel.<stream>}), send to
 * {@code streamhub.publish}, and reply to what they received; every frame carries the worker token.
 */
public final class BridgeVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeVerticle.class);

  private final BridgeConfig config;
  private final Publisher publisher;
  private TcpEventBusBridge bridge;

  public BridgeVerticle(BridgeConfig config, Publisher publisher) {
    this.config = config;
    this.publisher = publisher;
  }

  /** What a bridge connection may do, beyond replying to messages it received. */
  static BridgeOptions permissions() {
    return new BridgeOptions()
        .addInboundPermitted(new PermittedOptions().setAddress(Addresses.PUBLISH))
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(Addresses.GENERATE_PREFIX) + "[^\\s]+"))
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(Addresses.CANCEL_PREFIX) + "st_[A-Za-z0-9_-]+"));
  }

  @Override
  public Future<?> start() {
    BridgePublisher publish = new BridgePublisher(publisher);
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(Addresses.PUBLISH, publish::handle);
    NetServerOptions server = new NetServerOptions().setHost(config.host()).setPort(config.port()).setTcpNoDelay(true);
    bridge = TcpEventBusBridge.create(vertx, permissions(), server, new BridgeAuth(vertx, config.token(), new BridgeModels(vertx)));
    return Future.all(consumer.completion(), bridge.listen())
        .onSuccess(ok -> LOG.info("worker bridge listening on {}:{}", config.host(), config.port()));
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }
}
