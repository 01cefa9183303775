package dev.streamhub.limits;

import dev.streamhub.config.LimitsConfig;
import dev.streamhub.config.ConfigException;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Who may reach the hub at all, checked before authentication: the client IP against
 * {@code ip_deny} then {@code ip_allow} (CIDRs), then {@code access_rules} in order, the first
 * matching rule deciding. A refusal is 403 {@code forbidden}.
 *
 * <p>A rule matches when all it names match: {@code path} (a glob: {@code *} one path segment,
 * {@code **} any rest), {@code method}, and {@code header}: present ({@code "header"} alone), absent
 * ({@code "absent": true}) or with a value where the regex {@code match} finds something. Examples:
 * <pre>
 *   {"action":"deny", "header":"User-Agent", "match":"(?i)sqlmap|nikto"}
 *   {"action":"deny", "method":"POST", "path":"/v1/streams/&#42;/events", "header":"X-Worker-Pool", "absent":true}
 * </pre>
 */
public final class AccessRules {

  private final List<Cidr> allow;
  private final List<Cidr> deny;
  private final List<Rule> rules;

  public AccessRules(LimitsConfig config) {
    this.allow = cidrs(config.ipAllow(), "ip_allow");
    this.deny = cidrs(config.ipDeny(), "ip_deny");
    List<Rule> parsed = new ArrayList<>();
    for (int i = 0; i < config.rules().size(); i++) {
      parsed.add(Rule.parse(config.rules().get(i), i));
    }
    this.rules = List.copyOf(parsed);
  }

  public boolean any() {
    return !allow.isEmpty() || !deny.isEmpty() || !rules.isEmpty();
  }

  /** Null when the request may go on, else the refusal. */
  public HubException check(HttpServerRequest request, String ip) {
    for (Cidr cidr : deny) {
      if (cidr.contains(ip)) {
        return new HubException(ErrorCode.FORBIDDEN, "client address refused (ip_deny)");
      }
    }
    if (!allow.isEmpty() && allow.stream().noneMatch(cidr -> cidr.contains(ip))) {
      return new HubException(ErrorCode.FORBIDDEN, "client address not allowed (ip_allow)");
    }
    for (Rule rule : rules) {
      if (rule.matches(request)) {
        return rule.allow ? null : new HubException(ErrorCode.FORBIDDEN, "request refused by access rule " + rule.index);
      }
    }
    return null;
  }

  private static List<Cidr> cidrs(List<String> texts, String key) {
    List<Cidr> out = new ArrayList<>();
    for (String text : texts) {
      try {
        out.add(Cidr.parse(text));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("invalid " + key + ": " + e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  private record Rule(int index, boolean allow, Pattern path, String method, String header, Pattern match, boolean absent) {

    static Rule parse(JsonObject json, int index) {
      try {
        String path = json.getString("path");
        String match = json.getString("match");
        return new Rule(index, "allow".equals(json.getString("action")), path == null ? null : glob(path),
            json.getString("method"), json.getString("header"), match == null ? null : Pattern.compile(match),
            json.getBoolean("absent", false));
      } catch (PatternSyntaxException | ClassCastException e) {
        throw new ConfigException("invalid access_rules[" + index + "]: " + e.getMessage());
      }
    }

    boolean matches(HttpServerRequest request) {
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
}
