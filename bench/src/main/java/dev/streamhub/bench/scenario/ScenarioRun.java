package dev.streamhub.bench.scenario;

import dev.streamhub.bench.hub.Hub;
import dev.streamhub.bench.load.ClientFleet;
import dev.streamhub.bench.measure.ResourceSampler;

/** What a scenario runs with: the hub, the load generator's shards, the resource sampler, the transport. */
public record ScenarioRun(Hub hub, ClientFleet fleet, ResourceSampler sampler, String transport) {}
