using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Auth;

/// <summary>DI registration of the HTTP transport's JWT bearer validation (<c>server.auth.jwt</c>).</summary>
public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Registers the JWT validator, its key source and the key-set refresh; they are only built (and the refresh only
    /// fetches) when <c>server.auth.jwt</c> is set. One validator serves every graph of the node.
    /// </summary>
    public static IServiceCollection AddJwtBearer(this IServiceCollection services)
    {
        services.AddSingleton(sp => new JwtKeySource(Jwt(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<JwtKeySource>>()));
        services.AddSingleton(sp => new JwtValidator(
            Jwt(sp), sp.GetRequiredService<JwtKeySource>(), sp.GetRequiredService<PermissionTable>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<JwtValidator>>()));
        return services.AddHostedService<JwksRefreshService>();
    }

    /// <summary>The JWT validator when <c>server.auth.jwt</c> is set (for <see cref="BearerAuthentication"/>), else null.</summary>
    public static JwtValidator? JwtValidatorIfConfigured(this IServiceProvider services) =>
        services.GetRequiredService<NodeConfig>().Loaded.Jwt is null ? null : services.GetRequiredService<JwtValidator>();

    private static JwtSettings Jwt(IServiceProvider services) =>
        services.GetRequiredService<NodeConfig>().Loaded.Jwt ?? throw new InvalidOperationException("server.auth.jwt is not set.");
}
