package dev.streamhub;

import dev.streamhub.cluster.HazelcastSetup;
import dev.streamhub.config.ConfigException;
import dev.streamhub.config.HubConfig;
import dev.streamhub.ops.LogFormat;
import dev.streamhub.ops.MembershipLog;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar streamhub.jar [-conf config.json]}: starts a hub node configured by the file and
 * {@code STREAMHUB_*} environment variables: alone (in-memory store), or clustered on Hazelcast when
 * {@code cluster_config} names a Hazelcast config, with the roles of {@code roles}.
 * Exits with 2 on a bad configuration and 1 when the hub cannot start (say, the port is in use).
 */
public final class HubMain {

  private static final Logger LOG = LoggerFactory.getLogger(HubMain.class);

  private HubMain() {}

  public static void main(String[] args) {
    HubConfig config;
    try {
      config = HubConfig.load(readConfigFile(args), System.getenv());
    } catch (ConfigException e) {
      System.err.println("streamhub: " + e.getMessage());
      System.exit(2);
      return;
    }
    LogFormat.apply(config.ops().logFormat(), System.err);
    Vertx vertx;
    try {
      vertx = HubVertx.build(config.cluster()).await();
    } catch (ConfigException e) {
      System.err.println("streamhub: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      System.err.println("streamhub: cannot join the cluster: " + e);
      System.exit(1);
      return;
    }
    try {
      LogFormat.node(HazelcastSetup.nodeId(vertx));
      MembershipLog.install(vertx);
      Hub hub = Hub.start(vertx, config).await();
      LOG.info("StreamHub node {} up: roles={}, http={}, store={}, demo worker={}, cluster={}",
          hub.nodeId(), config.cluster().roles(), hub.port() < 0 ? "off" : config.http().host() + ":" + hub.port(),
          config.log().store(), config.demo().enabled(), config.cluster().clustered() ? config.cluster().hazelcastConfig() : "none");
      LOG.info("transport: {}", vertx.isNativeTransportEnabled() ? "epoll (native)" : "NIO: " + vertx.unavailableNativeTransportCause());
      if (hub.port() >= 0) {
        LOG.info("StreamHub listening on http://{}:{}", config.http().host(), hub.port());
      }
      // SIGTERM (or SIGINT): drain, then leave the cluster; the JVM exits when the hook returns
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          long started = System.nanoTime();
          LOG.info("StreamHub node {} draining (drain_timeout_ms={})", hub.nodeId(), config.drain().timeoutMs());
          hub.drain().await();
          LOG.info("StreamHub node {} drained in {} ms; leaving", hub.nodeId(), (System.nanoTime() - started) / 1_000_000);
          hub.stop().compose(v -> vertx.close()).await();
        } catch (Exception e) {
          LOG.warn("shutdown: {}", e.getMessage());
        }
      }, "streamhub-shutdown"));
    } catch (Exception e) {
      System.err.println("streamhub: cannot start: " + describe(e, config));
      vertx.close();
      System.exit(1);
    }
  }

  private static String describe(Throwable e, HubConfig config) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      // NIO says BindException; the epoll transport a NativeIoException (an IOException) with the errno's text
      if (t instanceof BindException || (t instanceof IOException && String.valueOf(t.getMessage()).contains("Address already in use"))) {
        return "port " + config.http().port() + " on " + config.http().host()
            + " is already in use or not available (http_port / STREAMHUB_HTTP_PORT): " + t.getMessage();
      }
    }
    return e.toString();
  }

  /** The JSON object of {@code -conf <file>} (or {@code --conf}, {@code -config}), or an empty one. */
  static JsonObject readConfigFile(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-conf") || arg.equals("--conf") || arg.equals("-config") || arg.equals("--config")) {
        if (i + 1 == args.length) {
          throw new ConfigException(arg + " needs a file name");
        }
        Path file = Path.of(args[i + 1]);
        try {
          return new JsonObject(Files.readString(file));
        } catch (NoSuchFileException e) {
          throw new ConfigException("config file " + file.toAbsolutePath() + " does not exist");
        } catch (AccessDeniedException e) {
          throw new ConfigException("config file " + file.toAbsolutePath() + " cannot be read: permission denied");
        } catch (IOException e) {
          throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        } catch (DecodeException e) {
          throw new ConfigException("config file " + file + " is not a JSON object: " + e.getMessage());
        }
      }
      throw new ConfigException("unknown argument '" + arg + "'; usage: java -jar streamhub.jar [-conf config.json]");
    }
    return new JsonObject();
  }
}
