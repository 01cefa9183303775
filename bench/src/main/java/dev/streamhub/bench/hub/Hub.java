package dev.streamhub.bench.hub;

import dev.streamhub.bench.load.Target;
import io.vertx.core.json.JsonObject;

/** The hub under test: a child process the benchmark started, or one given by {@code --url}. */
public interface Hub extends AutoCloseable {

  Target target();

  /** The hub's pid, -1 when unknown (then its RSS and CPU are not reported). */
  long pid();

  /** How the hub was run, for the results file. */
  JsonObject describe();

  /**
   * Asks the hub JVM for a full GC ({@code jcmd <pid> GC.run}), so that RSS measured next holds
   * live data rather than garbage. False when that was not possible.
   */
  boolean gc();

  /**
   * {@code jcmd <pid> GC.class_histogram} (which runs a full GC first): the live heap by class.
   * Null when that was not possible.
   */
  String classHistogram();

  /** Stops the hub if the benchmark started it. */
  @Override
  void close();
}
