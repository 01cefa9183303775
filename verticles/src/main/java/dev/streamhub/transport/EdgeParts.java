package dev.streamhub.transport;

import dev.streamhub.broker.Broker;
import dev.streamhub.ops.Drain;
import dev.streamhub.session.SessionGuard;
import dev.streamhub.stats.EdgeStats;
import dev.streamhub.streamlog.StreamLog;

/**
 * What the hub hands each of its edge instances, made once where the hub is assembled
 * ({@code Hub}): the stream log, the live path, the shared counters, the drain, and the guard every
 * session of the edge asks (authentication, ownership, connection limits).
 */
public record EdgeParts(StreamLog log, Broker broker, EdgeStats stats, Drain drain, SessionGuard guard) {}
