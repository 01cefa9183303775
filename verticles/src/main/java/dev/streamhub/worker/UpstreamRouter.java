package dev.streamhub.worker;

import dev.streamhub.config.UpstreamConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several upstreams as one backend: each model goes to one upstream, the first that claims it,
 * explicitly configured models before models an upstream lists.
 */
public final class UpstreamRouter implements ModelBackend {

  private final List<OpenAiUpstreamBackend> upstreams = new ArrayList<>();
  private final Map<String, OpenAiUpstreamBackend> routes = new LinkedHashMap<>();
  private final Map<String, JsonObject> models = new LinkedHashMap<>();
  private final List<Boolean> explicit = new ArrayList<>();

  public UpstreamRouter(Vertx vertx, UpstreamConfig config) {
    config.upstreams().forEach(u -> upstreams.add(new OpenAiUpstreamBackend(vertx, u)));
    config.upstreams().forEach(u -> explicit.add(!u.models().isEmpty()));
  }

  @Override
  public Future<Void> start() {
    List<Future<Void>> started = new ArrayList<>();
    upstreams.forEach(u -> started.add(u.start()));
    return Future.all(started).map(all -> {
      for (boolean explicitPass : new boolean[] {true, false}) {
        for (int i = 0; i < upstreams.size(); i++) {
          if (explicit.get(i) == explicitPass) {
            OpenAiUpstreamBackend upstream = upstreams.get(i);
            upstream.models().forEach(m -> {
              if (routes.putIfAbsent(m.getString("id"), upstream) == null) {
                models.put(m.getString("id"), m);
              }
            });
          }
        }
      }
      return null;
    });
  }

  @Override
  public List<JsonObject> models() {
    return List.copyOf(models.values());
  }

  @Override
  public Runnable generate(GenerateRequest request, TokenSink out) {
    OpenAiUpstreamBackend upstream = routes.get(request.model());
    if (upstream == null) {
      out.fail(new HubException(ErrorCode.MODEL_NOT_FOUND, "no upstream serves model '" + request.model() + "'"));
      return () -> {};
    }
    return upstream.generate(request, out);
  }
}
