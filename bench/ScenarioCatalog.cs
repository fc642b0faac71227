namespace TaskGraph.Bench;

/// <summary>Every scenario by command-line name; one name may run several scenarios (e.g. 1 and 16 callers).</summary>
internal static class ScenarioCatalog
{
    /// <summary>The scenarios in run order, grouped under the names the command line accepts.</summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<IScenario> Scenarios)> All()
    {
        static IBenchEnvironment Sqlite() => new SqliteEnvironment();
        static IBenchEnvironment Nats() => new NatsEnvironment();
        return
        [
            ("sqlite-claim-release", [new ClaimReleaseScenario("sqlite-claim-release", Sqlite, "sqlite", 4000)]),
            ("sqlite-claim-16", [new ConcurrentClaimScenario("sqlite-claim-16", Sqlite, "sqlite", 16, 4000)]),
            ("sqlite-race", [new RaceScenario("sqlite-race", Sqlite, "sqlite", 16, 3200)]),
            ("sqlite-fresh-read", [new FreshReadScenario("sqlite-fresh-read", Sqlite, "sqlite", 4000)]),
            ("sqlite-link", [new LinkScenario("sqlite-link", Sqlite, "sqlite", 16, 1000)]),
            ("nats-claim-release",
            [
                new ClaimReleaseScenario("nats-claim-release", Nats, "nats", 2000),
                new ConcurrentClaimScenario("nats-claim-release", Nats, "nats", 16, 3200),
            ]),
            ("nats-race", [new RaceScenario("nats-race", Nats, "nats", 16, 3200)]),
            ("nats-fresh-read", [new FreshReadScenario("nats-fresh-read", Nats, "nats", 2000)]),
            ("nats-link", [new LinkScenario("nats-link", Nats, "nats", 16, 1000)]),
            ("edge-claim", [new EdgeClaimScenario("edge-claim", 2000)]),
            ("http-claim",
            [
                new HttpClaimScenario("http-claim", null),
                new HttpClaimScenario("http-claim-session", "2025-06-18"),
            ]),
            ("cold-start", [new ColdStartScenario("cold-start", "sqlite"), new ColdStartScenario("cold-start", "nats")]),
            ("http-sessions", [new HttpSessionsScenario("http-sessions", 500)]),
            ("tool-budget", [new ToolBudgetScenario()]),
            ("status-summary", [new StatusSummaryScenario()]),
            ("portability", [new PortabilityScenario()]),
            ("node-rss",
            [
                new NodeRssScenario("node-rss", "workstation GC (shipped)", new Dictionary<string, string>()),
                new NodeRssScenario("node-rss", "DOTNET_gcServer=1", new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" }),
                new NodeRssScenario("node-rss", "workstation GC (shipped), fuzz-style", new Dictionary<string, string>(), hostile: true),
                new NodeRssScenario("node-rss", "DOTNET_gcServer=1, fuzz-style", new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" }, hostile: true),
            ]),
        ];
    }
}
