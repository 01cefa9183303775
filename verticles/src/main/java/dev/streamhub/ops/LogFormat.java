package dev.streamhub.ops;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.OutputStream;
import org.slf4j.LoggerFactory;

/**
 * The node's log output (logback, configured by {@code logback.xml} for {@code text}).
 * {@code log_format=json} replaces the root appender by one JSON object per line (logback's
 * {@link JsonEncoder}): {@code {"timestamp", "level", "loggerName", "context":{"properties":{"node"}},
 * "mdc", "kvpList":[{"stream":...}], "formattedMessage", "throwable"}}. The node id is a property
 * of the logging context, so it is on every line: {@link #PENDING_NODE} until the node joined its
 * cluster (Hazelcast names the member), then the node id of {@code GET /v1/cluster}. Lines about a
 * stream carry it as the SLF4J key-value {@code stream}.
 */
public final class LogFormat {

  /** The context property every line carries. */
  public static final String NODE_PROPERTY = "node";
  /** Its value until the node's id is known. */
  public static final String PENDING_NODE = "starting";
  static final String TEXT_APPENDER = "TEXT";
  static final String JSON_APPENDER = "JSON";

  private LogFormat() {}

  /** Switches the root logger to {@code format} ({@code text} or {@code json}) on {@code out} (System.err for the hub). */
  public static void apply(String format, OutputStream out) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J backend (say, in an embedding application): its own configuration rules
    }
    if (context.getProperty(NODE_PROPERTY) == null) {
      context.putProperty(NODE_PROPERTY, PENDING_NODE);
    }
    if (!"json".equals(format)) {
      return;
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithThreadName(false);
    encoder.setWithMarkers(false);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    // an OutputStreamAppender writes where it is told (a ConsoleAppender resets its stream on start)
    OutputStreamAppender<ILoggingEvent> json = new OutputStreamAppender<>();
    json.setName(JSON_APPENDER);
    json.setContext(context);
    json.setEncoder(encoder);
    json.setOutputStream(out);
    json.start();
    root.detachAndStopAllAppenders();
    root.addAppender(json);
  }

  /** Every line from now on carries {@code node}. */
  public static void node(String node) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.putProperty(NODE_PROPERTY, node);
    }
  }
}
