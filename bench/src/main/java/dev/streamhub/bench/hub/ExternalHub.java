package dev.streamhub.bench.hub;

import dev.streamhub.bench.load.Target;
import io.vertx.core.json.JsonObject;

/** A hub someone else started ({@code --url}); its pid is given or found from its listening port. */
public final class ExternalHub implements Hub {

  private final Target target;
  private final long pid;

  public ExternalHub(Target target, long pid) {
    this.target = target;
    this.pid = pid;
  }

  @Override
  public Target target() {
    return target;
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public JsonObject describe() {
    return new JsonObject().put("started_by_bench", false).put("url", target.url()).put("pid", pid < 0 ? null : pid);
  }

  @Override
  public boolean gc() {
    return pid >= 0 && ChildHub.jcmd(pid, "GC.run");
  }

  @Override
  public String classHistogram() {
    return pid < 0 ? null : ChildHub.jcmdOutput(pid, "GC.class_histogram");
  }

  @Override
  public void close() {}
}
