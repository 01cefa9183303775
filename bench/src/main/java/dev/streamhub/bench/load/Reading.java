package dev.streamhub.bench.load;

import io.vertx.core.Future;

/** One open read of a stream over some transport. */
public interface Reading {

  /** Completes when the hub ended the response, fails on an HTTP error or a broken connection. */
  Future<Void> done();

  /** Closes the connection now (end of an idle test, or a run past its deadline). */
  void cancel();
}
