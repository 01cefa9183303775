package dev.streamhub.limits;

import dev.streamhub.config.AccessRule;
import dev.streamhub.config.Cidr;
import dev.streamhub.config.LimitsConfig;
import dev.streamhub.stream.ErrorCode;
import dev.streamhub.stream.HubException;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

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
  private final List<AccessRule> rules;

  public AccessRules(LimitsConfig config) {
    this.allow = Cidr.parseAll(config.ipAllow(), "ip_allow");
    this.deny = Cidr.parseAll(config.ipDeny(), "ip_deny");
    List<AccessRule> parsed = new ArrayList<>();
    for (int i = 0; i < config.rules().size(); i++) {
      parsed.add(AccessRule.parse(config.rules().get(i), i));
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
    for (AccessRule rule : rules) {
      if (rule.matches(request)) {
        return rule.allow() ? null : new HubException(ErrorCode.FORBIDDEN, "request refused by access rule " + rule.index());
      }
    }
    return null;
  }
}
