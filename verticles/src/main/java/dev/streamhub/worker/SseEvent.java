package dev.streamhub.worker;

/**
 * One event dispatched by {@link SseDecoder}, as WHATWG HTML's event stream interpretation defines
 * it: {@code type} ("message" when the event had no {@code event:} field), {@code data} (its
 * {@code data:} lines joined by LF), and the stream's last event id at dispatch ("" if none yet).
 */
record SseEvent(String type, String data, String lastEventId) {}
