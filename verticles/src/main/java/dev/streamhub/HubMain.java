package dev.streamhub;

import dev.streamhub.config.ConfigException;
import dev.streamhub.config.HubConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar streamhub.jar [-conf config.json]}: starts a single-node hub with the in-memory
 * store and the demo worker, configured by the file and {@code STREAMHUB_*} environment variables.
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
    Vertx vertx = Vertx.vertx();
    try {
      Hub hub = Hub.start(vertx, config).await();
      LOG.info("StreamHub listening on http://{}:{} (store={}, demo worker={})",
          config.http().host(), hub.port(), config.log().store(), config.demo().enabled());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
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
      if (t instanceof BindException) {
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
