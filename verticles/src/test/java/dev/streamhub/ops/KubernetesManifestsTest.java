package dev.streamhub.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamhub.Hub;
import dev.streamhub.HubClient;
import dev.streamhub.TestHubs;
import dev.streamhub.config.HubConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code cluster-config/kubernetes/}: {@code kubectl} is not available here, so the manifests are
 * parsed with SnakeYAML and what ties them to each other, to the Hazelcast config and to the hub is
 * checked: probe paths and ports, Service selectors and target ports, the discovery Service's name
 * and port, the ServiceAccount, every {@code STREAMHUB_*} variable a key the hub knows, and the
 * grace period against preStop + {@code drain_timeout_ms}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesManifestsTest {

  static final Path DIR = Path.of("..", "cluster-config", "kubernetes");
  static final Path HAZELCAST = Path.of("..", "cluster-config", "hazelcast-kubernetes.xml");

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o, String what) {
    assertNotNull(o, what + " is missing");
    assertTrue(o instanceof Map, what + " is not a mapping: " + o);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o, String what) {
    assertNotNull(o, what + " is missing");
    assertTrue(o instanceof List, what + " is not a list: " + o);
    return (List<Object>) o;
  }

  /** Every document of every file, by "Kind/name". */
  static Map<String, Map<String, Object>> manifests() throws IOException {
    Map<String, Map<String, Object>> all = new HashMap<>();
    try (var files = Files.list(DIR)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
          Map<String, Object> m = map(doc, file.toString());
          String key = m.get("kind") + "/" + map(m.get("metadata"), file + " metadata").get("name");
          assertTrue(all.put(key, m) == null, "twice: " + key);
        }
      }
    }
    return all;
  }

  @Test
  void theManifestsReferToEachOtherTheHazelcastConfigAndTheHub() throws Exception {
    Map<String, Map<String, Object>> all = manifests();
    Map<String, Object> deployment = map(all.get("Deployment/streamhub"), "Deployment/streamhub");
    Map<String, Object> spec = map(deployment.get("spec"), "deployment spec");
    Map<String, Object> template = map(spec.get("template"), "pod template");
    Map<String, Object> podLabels = map(map(template.get("metadata"), "template metadata").get("labels"), "pod labels");
    assertTrue(podLabels.entrySet().containsAll(map(map(spec.get("selector"), "selector").get("matchLabels"), "matchLabels").entrySet()),
        "the Deployment's selector must match its pods");
    Map<String, Object> pod = map(template.get("spec"), "pod spec");
    Map<String, Object> container = map(list(pod.get("containers"), "containers").get(0), "container");

    Map<String, Integer> ports = new HashMap<>();
    for (Object p : list(container.get("ports"), "container ports")) {
      ports.put((String) map(p, "port").get("name"), (Integer) map(p, "port").get("containerPort"));
    }
    Map<String, String> env = new HashMap<>();
    for (Object e : list(container.get("env"), "env")) {
      Map<String, Object> var = map(e, "env var");
      env.put((String) var.get("name"), var.containsKey("value") ? (String) var.get("value") : null);
    }

    // the hub listens where the pod says, and knows every STREAMHUB_* key
    assertEquals(Integer.toString(ports.get("http")), env.get("STREAMHUB_HTTP_PORT"));
    JsonObject keys = new JsonObject();
    env.forEach((name, value) -> {
      assertTrue(name.startsWith("STREAMHUB_"), name);
      String key = name.substring("STREAMHUB_".length()).toLowerCase();
      if (!key.equals("cluster_config")) {
        keys.put(key, value == null ? placeholder(key) : value);
      }
    });
    HubConfig config = HubConfig.load(keys, Map.of()); // fails on an unknown key or a bad value
    assertEquals("json", config.ops().logFormat());

    // probes: paths the hub answers 200 on, ports the container has
    Map<String, Object> liveness = map(map(container.get("livenessProbe"), "livenessProbe").get("httpGet"), "liveness httpGet");
    Map<String, Object> readiness = map(map(container.get("readinessProbe"), "readinessProbe").get("httpGet"), "readiness httpGet");
    assertEquals("/health/live", liveness.get("path"));
    assertEquals("/health/ready", readiness.get("path"));
    assertTrue(ports.containsKey((String) liveness.get("port")), "liveness port " + liveness.get("port"));
    assertTrue(ports.containsKey((String) readiness.get("port")), "readiness port " + readiness.get("port"));
    assertAnswered(List.of((String) liveness.get("path"), (String) readiness.get("path"),
        (String) map(map(container.get("startupProbe"), "startupProbe").get("httpGet"), "startup httpGet").get("path")));

    // grace period: preStop sleep + drain_timeout_ms + at least 5 s to leave the cluster
    List<Object> preStop = list(map(map(map(container.get("lifecycle"), "lifecycle").get("preStop"), "preStop").get("exec"), "preStop exec")
        .get("command"), "preStop command");
    assertEquals("sleep", preStop.get(0));
    long preStopSeconds = Long.parseLong((String) preStop.get(1));
    long drainSeconds = config.drain().timeoutMs() / 1000;
    int grace = (Integer) pod.get("terminationGracePeriodSeconds");
    assertTrue(grace >= preStopSeconds + drainSeconds + 5,
        "terminationGracePeriodSeconds " + grace + " < preStop " + preStopSeconds + " s + drain " + drainSeconds + " s + 5 s");

    // the Hazelcast config comes from the ConfigMap mounted where STREAMHUB_CLUSTER_CONFIG points
    String clusterConfig = env.get("STREAMHUB_CLUSTER_CONFIG");
    Map<String, Object> mount = map(list(container.get("volumeMounts"), "volumeMounts").get(0), "volumeMount");
    assertTrue(clusterConfig.startsWith(mount.get("mountPath") + "/"), clusterConfig + " is not under " + mount.get("mountPath"));
    assertEquals(HAZELCAST.getFileName().toString(), Path.of(clusterConfig).getFileName().toString());
    Map<String, Object> volume = map(list(pod.get("volumes"), "volumes").get(0), "volume");
    assertEquals(mount.get("name"), volume.get("name"));
    assertEquals("streamhub-hazelcast", map(volume.get("configMap"), "configMap volume").get("name"));

    // discovery: the headless Service the Hazelcast config names, on its member port
    String xml = Files.readString(HAZELCAST);
    String serviceName = group(xml, "<service-name>([^<]+)</service-name>");
    int hazelcastPort = Integer.parseInt(group(xml, "<port[^>]*>(\\d+)</port>"));
    Map<String, Object> headless = map(all.get("Service/" + serviceName), "Service/" + serviceName + " (hazelcast-kubernetes.xml)");
    Map<String, Object> headlessSpec = map(headless.get("spec"), "headless spec");
    assertEquals("None", headlessSpec.get("clusterIP"));
    assertEquals(true, headlessSpec.get("publishNotReadyAddresses"), "a joining pod is not ready yet: it must be discoverable");
    Map<String, Object> hzPort = map(list(headlessSpec.get("ports"), "headless ports").get(0), "headless port");
    assertEquals(hazelcastPort, hzPort.get("port"));
    assertEquals(hazelcastPort, ports.get((String) hzPort.get("targetPort")));
    assertTrue(podLabels.entrySet().containsAll(map(headlessSpec.get("selector"), "headless selector").entrySet()));

    // clients: the Service to the pods' http port
    Map<String, Object> clientSpec = map(map(all.get("Service/streamhub"), "Service/streamhub").get("spec"), "client service spec");
    assertTrue(podLabels.entrySet().containsAll(map(clientSpec.get("selector"), "client selector").entrySet()));
    Map<String, Object> clientPort = map(list(clientSpec.get("ports"), "client ports").get(0), "client port");
    assertTrue(ports.containsKey((String) clientPort.get("targetPort")), "client targetPort " + clientPort.get("targetPort"));

    // RBAC: the pods' ServiceAccount is bound to a Role that can list endpoints and pods
    String account = (String) pod.get("serviceAccountName");
    assertNotNull(all.get("ServiceAccount/" + account), "ServiceAccount/" + account);
    Map<String, Object> binding = all.values().stream().filter(m -> "RoleBinding".equals(m.get("kind"))).findFirst().orElseThrow();
    assertEquals(account, map(list(binding.get("subjects"), "subjects").get(0), "subject").get("name"));
    Map<String, Object> role = map(all.get("Role/" + map(binding.get("roleRef"), "roleRef").get("name")), "the bound Role");
    List<Object> resources = new ArrayList<>();
    list(role.get("rules"), "rules").forEach(rule -> resources.addAll(list(map(rule, "rule").get("resources"), "resources")));
    assertTrue(resources.containsAll(List.of("endpoints", "pods")), "discovery needs endpoints and pods: " + resources);
  }

  /** Values for keys the Deployment takes from elsewhere (the downward API, a Secret). */
  private static String placeholder(String key) {
    return key.equals("admin_token") ? "a-secret-of-enough-length" : "10.0.0.7";
  }

  private static String group(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), regex + " not found");
    return m.group(1);
  }

  /** The probe paths answer 200 on a real (in-process) hub. */
  private static void assertAnswered(List<String> paths) {
    Vertx vertx = Vertx.vertx();
    try {
      Hub hub = TestHubs.start(vertx).await();
      HubClient client = new HubClient(vertx, hub.port());
      for (String path : paths) {
        assertEquals(200, client.get(path).await().statusCode(), path);
      }
    } finally {
      vertx.close().await();
    }
  }
}
