package dev.streamhub.internal;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Reading from a client's connection stopped and started at the Netty channel ({@code autoRead}),
 * and the channel's writability ({@link Channel#isWritable}: below its write-buffer high-water mark).
 * Vert.x answers a WebSocket ping with a pong written straight to the channel as the frame is
 * decoded, before (and whether or not) the socket's {@code pause()} holds the frame back, so only
 * not reading the channel bounds what a ping flood makes the hub hold. Reached through Vert.x's
 * {@code ConnectionBase} (an impl class); for another kind of connection it does nothing.
 */
public final class ChannelReads {

  private static final ChannelReads NONE = new ChannelReads(null);

  private final Channel channel;

  private ChannelReads(Channel channel) {
    this.channel = channel;
  }

  public static ChannelReads of(HttpConnection connection) {
    return connection instanceof ConnectionBase ? new ChannelReads(((ConnectionBase) connection).channel()) : NONE;
  }

  /** Whether the channel takes more writes (always, when not reachable). */
  public boolean writable() {
    return channel == null || channel.isWritable();
  }

  /** Stops reading the channel (what the client sends waits in the kernel buffers). */
  public void stop() {
    if (channel != null) {
      channel.config().setAutoRead(false);
    }
  }

  /** Reads the channel again. */
  public void start() {
    if (channel != null) {
      channel.config().setAutoRead(true);
    }
  }
}
