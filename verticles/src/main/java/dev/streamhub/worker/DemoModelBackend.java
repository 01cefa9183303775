package dev.streamhub.worker;

import dev.streamhub.config.DemoConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The model {@code demo}: a deterministic text generator paced like a real model. The same
 * messages and seed always give the same tokens; tokens are word pieces of a few bytes. It shows
 * the context it got: when the messages hold earlier user turns (a conversation), the answer
 * begins by quoting the first of them and counting the turns.
 */
public final class DemoModelBackend implements ModelBackend {

  public static final String MODEL = "demo";
  /** Tokens one generation sends in one tick at most, whatever is due. */
  static final int MAX_TOKENS_PER_TICK = 256;

  private static final String[] WORDS = {
    "stream", "token", "offset", "resume", "cluster", "node", "event", "log", "client", "server",
    "latency", "browser", "socket", "replay", "model", "answer", "question", "network", "reconnect",
    "the", "a", "every", "each", "is", "are", "was", "kept", "sent", "delivered", "in", "order",
    "without", "gap", "or", "duplicate", "after", "before", "while", "quickly", "safely", "again",
    "generation", "worker", "hub", "transport", "subscription", "message", "buffer", "durable",
  };

  private final Vertx vertx;
  private final DemoConfig config;
  private final Wheel wheel;

  public DemoModelBackend(Vertx vertx, DemoConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.wheel = new Wheel();
  }

  @Override
  public List<JsonObject> models() {
    return List.of(new JsonObject().put("id", MODEL).put("object", "model").put("created", 1_700_000_000L).put("owned_by", "streamhub"));
  }

  @Override
  public Runnable generate(GenerateRequest request, TokenSink out) {
    int cap = request.maxTokens() > 0 ? request.maxTokens() : config.maxTokens();
    List<String> tokens = tokens(request, config.answerTokens(), cap + 1);
    boolean truncated = tokens.size() > cap;
    List<String> emitted = truncated ? tokens.subList(0, cap) : tokens;
    int promptTokens = promptTokens(request);
    Pacer pacer = new Pacer(emitted, out, () -> out.finish(truncated ? "length" : "stop", promptTokens, emitted.size()));
    return pacer.start();
  }

  /**
   * The whole answer for {@code request}, at most {@code limit} tokens: an echo of the question,
   * then sentences drawn from a seeded random source, {@code answerTokens} long (0: the seed picks
   * 24 to 96).
   */
  public static List<String> tokens(GenerateRequest request, int answerTokens, int limit) {
    long seed = fnv1a(request.messages().encode()) ^ (request.seed() == null ? 0 : request.seed() * 0x9E3779B97F4A7C15L);
    SplittableRandom random = new SplittableRandom(seed);
    List<String> tokens = new ArrayList<>();
    String question = request.lastUserText().trim();
    String[] asked = question.isEmpty() ? new String[0] : question.split("\\s+");
    addWord(tokens, "You");
    addWord(tokens, " asked:");
    for (int i = 0; i < Math.min(asked.length, 8); i++) {
      addWord(tokens, " " + asked[i]);
    }
    addWord(tokens, ".");
    List<String> userTurns = userTexts(request);
    if (userTurns.size() > 1) {
      addWord(tokens, " Turn");
      addWord(tokens, " " + userTurns.size());
      addWord(tokens, "; first");
      addWord(tokens, " you");
      addWord(tokens, " asked:");
      String[] first = userTurns.get(0).trim().split("\\s+");
      for (int i = 0; i < Math.min(first.length, 8); i++) {
        addWord(tokens, " " + first[i]);
      }
      addWord(tokens, ".");
    }
    int seededLength = 24 + random.nextInt(72);
    int length = answerTokens > 0 ? answerTokens : seededLength;
    boolean sentenceStart = true;
    while (tokens.size() < length && tokens.size() < limit) {
      String word = WORDS[random.nextInt(WORDS.length)];
      if (sentenceStart) {
        word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
      }
      addWord(tokens, " " + word);
      sentenceStart = random.nextInt(9) == 0;
      if (sentenceStart) {
        addWord(tokens, ".");
      }
    }
    if (!sentenceStart && answerTokens == 0) {
      addWord(tokens, ".");
    }
    int end = Math.min(limit, answerTokens > 0 ? answerTokens : tokens.size());
    return tokens.size() > end ? new ArrayList<>(tokens.subList(0, end)) : tokens;
  }

  /** The texts of the user messages, oldest first. */
  private static List<String> userTexts(GenerateRequest request) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < request.messages().size(); i++) {
      JsonObject message = request.messages().getJsonObject(i);
      if ("user".equals(message.getString("role"))) {
        texts.add(GenerateRequest.textOf(message));
      }
    }
    return texts;
  }

  /**
   * Splits a word into pieces of at most 4 characters (5 for the first when it starts with a space),
   * as a BPE tokenizer would roughly do. Characters are code points: a piece never ends between the
   * two halves of a surrogate pair (an emoji, say), which no UTF-8 encoder could write.
   */
  static void addWord(List<String> tokens, String word) {
    int i = 0;
    while (i < word.length()) {
      int end = word.offsetByCodePoints(i, Math.min(word.codePointCount(i, word.length()), i == 0 && word.startsWith(" ") ? 5 : 4));
      tokens.add(word.substring(i, end));
      i = end;
    }
  }

  private static int promptTokens(GenerateRequest request) {
    int chars = 0;
    for (int i = 0; i < request.messages().size(); i++) {
      chars += GenerateRequest.textOf(request.messages().getJsonObject(i)).length();
    }
    return Math.max(1, (chars + 3) / 4);
  }

  private static long fnv1a(String s) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  /**
   * Emits one generation's tokens: the first after the time-to-first-token, then at the configured
   * rate, on the backend's shared {@link Wheel} rather than a timer of its own.
   */
  private final class Pacer {
    private final List<String> tokens;
    private final TokenSink out;
    private final Runnable finish;
    private long ttftTimer = -1;
    private long firstAtNanos;
    private int sent;
    private boolean stopped;
    private boolean paced;

    Pacer(List<String> tokens, TokenSink out, Runnable finish) {
      this.tokens = tokens;
      this.out = out;
      this.finish = finish;
    }

    Runnable start() {
      if (config.ttftMs() == 0) {
        vertx.runOnContext(v -> first());
      } else {
        ttftTimer = vertx.setTimer(config.ttftMs(), id -> first());
      }
      return this::stop;
    }

    private void first() {
      ttftTimer = -1;
      if (stopped) {
        return;
      }
      firstAtNanos = System.nanoTime();
      tick();
      if (!stopped) {
        paced = true;
        wheel.add(this);
      }
    }

    /** When the next token is due, in {@link System#nanoTime()} terms. */
    long nextDueNanos() {
      return firstAtNanos - Math.floorDiv(-sent * 1_000_000_000L, config.tokensPerSecond());
    }

    /**
     * Sends every token due by now, so rates above 1,000 tokens/s keep their pace; tokens due
     * together go to the sink as one batch.
     */
    void tick() {
      if (stopped) {
        return;
      }
      long elapsedNanos = System.nanoTime() - firstAtNanos;
      // At most MAX_TOKENS_PER_TICK at once: a worker that cannot keep the pace falls behind it
      // (the rest go in the next ticks) instead of holding its event loop for ever larger batches.
      int due = (int) Math.min(Math.min(tokens.size(), sent + MAX_TOKENS_PER_TICK),
          1 + elapsedNanos * config.tokensPerSecond() / 1_000_000_000L);
      if (due - sent == 1) {
        out.delta(tokens.get(sent));
      } else if (due > sent) {
        out.deltas(tokens.subList(sent, due));
      }
      sent = Math.max(sent, due);
      if (sent == tokens.size()) {
        stop();
        finish.run();
      }
    }

    boolean stopped() {
      return stopped;
    }

    private void stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      if (ttftTimer >= 0) {
        vertx.cancelTimer(ttftTimer);
      }
      if (paced) {
        wheel.remove();
      }
    }
  }

  /**
   * Paces every generation of this backend (one verticle instance, one context) on one periodic
   * timer of 1 ms instead of one timer per stream that fires per token: a ring of 1 ms buckets, each
   * pacer in the bucket of the millisecond its next token is due. A tick visits only the pacers due
   * then, so a thousand streams cost a thousand small visits spread over the interval, not a
   * thousand scheduled-timer operations; the timer runs only while some generation is paced.
   */
  private final class Wheel {
    private final List<Pacer>[] buckets;
    private List<Pacer> spare = new ArrayList<>();
    private final long epochNanos = System.nanoTime();
    private long timer = -1;
    private long lastTick;
    private int active;

    @SuppressWarnings("unchecked")
    Wheel() {
      // One more bucket than the longest gap between two tokens, and one for rounding up.
      buckets = new List[(int) Math.min(1_000_000, 1000L / config.tokensPerSecond() + 2)];
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new ArrayList<>();
      }
    }

    void add(Pacer pacer) {
      if (timer < 0) {
        lastTick = nowTick();
        timer = vertx.setPeriodic(1, id -> advance());
      }
      active++;
      place(pacer);
    }

    /** A pacer stopped: it is dropped from its bucket when that comes round. */
    void remove() {
      if (--active == 0 && timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
        for (List<Pacer> bucket : buckets) {
          bucket.clear();
        }
      }
    }

    private void place(Pacer pacer) {
      long due = Math.max(lastTick + 1, ceilDiv(pacer.nextDueNanos() - epochNanos, 1_000_000L));
      buckets[(int) (due % buckets.length)].add(pacer);
    }

    /** Visits the buckets of every millisecond since the last tick (all of them at most once). */
    private void advance() {
      long now = nowTick();
      long from = Math.max(lastTick + 1, now - buckets.length + 1);
      lastTick = now;
      for (long t = from; t <= now && timer >= 0; t++) {
        int index = (int) (t % buckets.length);
        List<Pacer> bucket = buckets[index];
        if (bucket.isEmpty()) {
          continue;
        }
        buckets[index] = spare;
        for (int i = 0; i < bucket.size(); i++) {
          Pacer pacer = bucket.get(i);
          pacer.tick();
          if (!pacer.stopped() && timer >= 0) {
            place(pacer);
          }
        }
        bucket.clear();
        spare = bucket;
      }
    }

    private long nowTick() {
      return (System.nanoTime() - epochNanos) / 1_000_000L;
    }

    private long ceilDiv(long a, long b) {
      return -Math.floorDiv(-a, b);
    }
  }
}
