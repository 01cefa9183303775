package dev.streamhub.limits.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The limiter's entry processors cross between members in Hazelcast's {@code DataSerializable} form
 * (class name, then the fields as written), with no version: a member of another StreamHub version
 * reads them as its own class reads them. These are their exact bytes, so that a change to that form
 * (a field, the order of {@code Slots.Kind}, whose ordinal is written, a class renamed) fails here and
 * is made on purpose, with the README's note on rolling upgrades (see "Cluster"): members of versions
 * whose forms differ cannot run in one cluster.
 */
class LimitProcessorsWireTest {

  private final SerializationService serialization = new DefaultSerializationServiceBuilder().build();

  private String wire(Object processor) {
    return Base64.getEncoder().encodeToString(serialization.toData(processor).toByteArray());
  }

  @Test
  void theProcessorsKeepTheirWireForm() {
    Map<String, Object> processors = new LinkedHashMap<>();
    processors.put("acquire", LimitProcessors.Slots.acquire(3, "member-a"));
    processors.put("release", LimitProcessors.Slots.release("member-a"));
    processors.put("adopt", LimitProcessors.Slots.adopt("member-a", "member-b"));
    processors.put("drop", LimitProcessors.Slots.drop("member-a"));
    processors.put("take", new LimitProcessors.Take(5, 30, 60_000, 1_700_000_000_000L));
    Map<String, String> actual = new LinkedHashMap<>();
    processors.forEach((name, processor) -> actual.put(name, wire(processor)));
    assertEquals(EXPECTED, Map.copyOf(actual), "a processor's wire form changed: see the README's note on rolling upgrades");
  }

  /** Base64 of each processor's serialized form: class name, kind (ordinal), limit, holders; Take: amount, limit, window, now. */
  private static final Map<String, String> EXPECTED = Map.of(
      "acquire", "AAAAAP////4AAAAANGRldi5zdHJlYW1odWIubGltaXRzLmhhemVsY2FzdC5MaW1pdFByb2Nlc3NvcnMkU2xvdHMAAAAAAAAAAAAAAAMAAAABAAAACG1lbWJlci1h",
      "release", "AAAAAP////4AAAAANGRldi5zdHJlYW1odWIubGltaXRzLmhhemVsY2FzdC5MaW1pdFByb2Nlc3NvcnMkU2xvdHMAAAABAAAAAAAAAAAAAAABAAAACG1lbWJlci1h",
      "adopt", "AAAAAP////4AAAAANGRldi5zdHJlYW1odWIubGltaXRzLmhhemVsY2FzdC5MaW1pdFByb2Nlc3NvcnMkU2xvdHMAAAACAAAAAAAAAAAAAAACAAAACG1lbWJlci1hAAAACG1lbWJlci1i",
      "drop", "AAAAAP////4AAAAANGRldi5zdHJlYW1odWIubGltaXRzLmhhemVsY2FzdC5MaW1pdFByb2Nlc3NvcnMkU2xvdHMAAAADAAAAAAAAAAAAAAABAAAACG1lbWJlci1h",
      "take", "AAAAAP////4AAAAAM2Rldi5zdHJlYW1odWIubGltaXRzLmhhemVsY2FzdC5MaW1pdFByb2Nlc3NvcnMkVGFrZQAAAAAAAAAFAAAAAAAAAB4AAAAAAADqYAAAAYvP5WgA");
}
