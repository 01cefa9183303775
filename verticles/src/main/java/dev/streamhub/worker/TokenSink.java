package dev.streamhub.worker;

import dev.streamhub.stream.HubException;
import java.util.List;

/**
 * Where a {@link ModelBackend} puts what it generates. Calls after the generation ended (finished,
 * failed or cancelled) are ignored, so a backend need not race its own cancellation.
 */
public interface TokenSink {

  /** One piece of generated text. */
  void delta(String text);

  /** Pieces of text produced together, in order; a sink may write them as one batch. */
  default void deltas(List<String> texts) {
    texts.forEach(this::delta);
  }

  /** The generation ended normally; appends the usage and the terminal {@code done} event. */
  void finish(String finishReason, int promptTokens, int completionTokens);

  /** The generation failed; appends a terminal {@code error} event with the error's code. */
  void fail(HubException error);
}
