using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TaskGraph.Node.Auth;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Cli;

/// <summary>
/// <c>taskgraph token create|list|revoke</c>: bearer tokens for HTTP, kept hashed in the graph's store (the same
/// <c>--db</c> or <c>--nats</c>/<c>--graph</c> the nodes use), so every node sees a change within a second. A token
/// opens the graphs it is stored in: <c>--graph</c> repeated stores one secret in each named graph.
/// </summary>
public static class TokenCommand
{
    private static readonly JsonSerializerOptions ListJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private static readonly Option<string> NameOption = new("--name") { Description = "The token's unique name (audit and revoke use it)", Required = true };
    private static readonly Option<string> RoleOption = new("--role") { Description = "admin, lead, worker or viewer (or a role from server.auth.roles)", Required = true };
    private static readonly Option<string?> WorkerOption = new("--worker-id") { Description = "Bind the token to this worker id: it acts only as that worker" };
    private static readonly Option<string?> TagsOption = new("--tags") { Description = "Tag scope, comma-separated" };
    private static readonly Option<string?> ExpiresOption = new("--expires") { Description = "Lifetime: 30d, 12h, 90m or 45s (default: no expiry)" };
    private static readonly Option<bool> JsonOption = new("--json") { Description = "One JSON array on stdout" };
    private static readonly Argument<string> RevokeName = new("name") { Description = "The token to revoke" };

    /// <summary>The <c>token</c> command with its subcommands.</summary>
    public static Command Build()
    {
        var token = new Command("token", "Create, list and revoke bearer tokens for HTTP clients.");
        var create = new Command("create", "Create a token and print its secret once (stdout, first line).");
        foreach (var option in new Option[] { NameOption, RoleOption, WorkerOption, TagsOption, ExpiresOption })
        {
            create.Options.Add(option);
        }

        create.SetAction(CreateAsync);
        var list = new Command("list", "List tokens (never their secrets).");
        list.Options.Add(JsonOption);
        list.SetAction(ListAsync);
        var revoke = new Command("revoke", "Revoke a token by name; every node refuses it within a second.");
        revoke.Arguments.Add(RevokeName);
        revoke.SetAction(RevokeAsync);
        token.Subcommands.Add(create);
        token.Subcommands.Add(list);
        token.Subcommands.Add(revoke);
        return token;
    }

    private static Task<int> CreateAsync(ParseResult parse, CancellationToken cancellationToken) =>
        WithTokensAsync(parse, async (tokens, config) =>
        {
            var name = parse.GetValue(NameOption)!;
            if (name.Length is 0 or > 100 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@'))
            {
                return Fail($"--name: '{name}' must be 1 to 100 letters, digits, '-', '_', '.' or '@'");
            }

            var role = parse.GetValue(RoleOption)!;
            if (!new PermissionTable(config.Roles).HasRole(role))
            {
                return Fail($"unknown role '{role}' (roles: {string.Join(", ", config.Roles.Keys)})");
            }

            TimeSpan? expires = null;
            if (parse.GetValue(ExpiresOption) is { } text && (expires = TokenStore.ParseDuration(text)) is null)
            {
                return Fail($"--expires: '{text}' is not a duration like 30d, 12h, 90m or 45s");
            }

            var tags = parse.GetValue(TagsOption)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var (graph, store) in tokens)
            {
                if (await store.ExistsAsync(name, cancellationToken))
                {
                    return Fail($"a token named '{name}' already exists in graph '{graph}'; revoke it first or choose another name");
                }
            }

            var secret = TokenStore.NewSecret();
            foreach (var (_, store) in tokens)
            {
                await store.CreateAsync(secret, name, role, parse.GetValue(WorkerOption), tags, expires, cancellationToken);
            }

            await Console.Out.WriteLineAsync(secret);
            await Console.Error.WriteLineAsync("taskgraph token: created; the secret above is shown once (only its hash is stored)");
            return 0;
        }, cancellationToken);

    private static Task<int> ListAsync(ParseResult parse, CancellationToken cancellationToken) =>
        WithTokensAsync(parse, async (tokens, _) =>
        {
            var all = new List<TokenRecord>();
            foreach (var (graph, store) in tokens)
            {
                all.AddRange((await store.ListAsync(cancellationToken)).Select(t => t with { Graph = graph }));
            }

            if (parse.GetValue(JsonOption))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(all, ListJson));
                return 0;
            }

            foreach (var t in all)
            {
                var expires = t.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never";
                await Console.Out.WriteLineAsync($"{t.Name}\tgraph={t.Graph}\trole={t.Role}\tworker={t.WorkerId ?? "-"}\ttags={(t.Tags is null ? "-" : string.Join(',', t.Tags))}\texpires={expires}");
            }

            return 0;
        }, cancellationToken);

    private static Task<int> RevokeAsync(ParseResult parse, CancellationToken cancellationToken) =>
        WithTokensAsync(parse, async (tokens, _) =>
        {
            var name = parse.GetValue(RevokeName)!;
            var revoked = false;
            foreach (var (_, store) in tokens)
            {
                revoked |= await store.RevokeAsync(name, cancellationToken);
            }

            if (!revoked)
            {
                return Fail($"no token named '{name}'");
            }

            await Console.Error.WriteLineAsync($"taskgraph token: revoked '{name}'");
            return 0;
        }, cancellationToken);

    private static Task<int> WithTokensAsync(
        ParseResult parse, Func<IReadOnlyList<(string Graph, TokenStore Tokens)>, LoadedConfig, Task<int>> action, CancellationToken cancellationToken) =>
        StoreCommand.RunEachAsync(
            parse, "token", (stores, config) => action([.. stores.Select(s => (s.Graph, new TokenStore(s.Store, TimeProvider.System)))], config), cancellationToken);

    private static int Fail(string message) => StoreCommand.Fail("token", message);
}
