package dev.streamhub.config;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One entry of {@code access_rules} (see {@code limits.AccessRules}, which applies them in order):
 * {@code action} ({@code allow} or {@code deny}), {@code path} (a glob: {@code *} one path segment,
 * {@code **} any rest), {@code method}, {@code header} with {@code match} (a regex found in the value)
 * or {@code absent}. In {@code config/} so that a bad rule stops the start naming {@code access_rules[i]}.
 *
 * @param index the rule's position in {@code access_rules}, named in refusals
 */
public record AccessRule(int index, boolean allow, Pattern path, String method, String header, Pattern match, boolean absent) {

  /** The rule at {@code index} of {@code access_rules}; a bad regex or a wrong type is a {@link ConfigException} naming it. */
  public static AccessRule parse(JsonObject json, int index) {
    try {
      String path = json.getString("path");
      String match = json.getString("match");
      return new AccessRule(index, "allow".equals(json.getString("action")), path == null ? null : glob(path),
          json.getString("method"), json.getString("header"), match == null ? null : Pattern.compile(match),
          json.getBoolean("absent", false));
    } catch (PatternSyntaxException | ClassCastException e) {
      throw new ConfigException("invalid access_rules[" + index + "]: " + e.getMessage());
    }
  }

  /** Whether {@code request} matches all this rule names. */
  public boolean matches(HttpServerRequest request) {
    if (path != null && !path.matcher(request.path()).matches()) {
      return false;
    }
    if (method != null && !method.equalsIgnoreCase(request.method().name())) {
      return false;
    }
    if (header == null) {
      return true;
    }
    String value = request.getHeader(header);
    if (absent) {
      return value == null;
    }
    return value != null && (match == null || match.matcher(value).find());
  }

  static Pattern glob(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
