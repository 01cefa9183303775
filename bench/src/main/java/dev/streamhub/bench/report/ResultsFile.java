package dev.streamhub.bench.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench/results/latest.json}: a JSON list of records. A run replaces the records of the
 * same scenario, variant, transport and target and keeps the others, so scenarios run one at a time add up
 * to one complete file; {@code --fresh} starts from an empty list.
 */
public final class ResultsFile {

  private ResultsFile() {}

  public static List<JsonObject> merge(Path file, List<JsonObject> fresh, boolean replaceAll) throws IOException {
    List<JsonObject> records = new ArrayList<>();
    if (!replaceAll && Files.isRegularFile(file)) {
      try {
        JsonArray old = new JsonArray(Files.readString(file));
        for (int i = 0; i < old.size(); i++) {
          JsonObject r = old.getJsonObject(i);
          if (fresh.stream().noneMatch(f -> sameKey(f, r))) {
            records.add(r);
          }
        }
      } catch (RuntimeException e) {
        System.err.println("bench: " + file + " is not a JSON list; starting a new one (" + e.getMessage() + ")");
      }
    }
    records.addAll(fresh);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, new JsonArray(new ArrayList<>(records)).encodePrettily() + "\n");
    return records;
  }

  private static boolean sameKey(JsonObject a, JsonObject b) {
    return a.getString("scenario").equals(b.getString("scenario"))
        && a.getString("transport").equals(b.getString("transport"))
        && a.getString("target").equals(b.getString("target"))
        && java.util.Objects.equals(a.getString("variant"), b.getString("variant"));
  }
}
