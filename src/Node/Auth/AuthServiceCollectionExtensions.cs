using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TaskGraph.Node.Configuration;

namespace TaskGraph.Node.Auth;

/// <summary>DI registration of the HTTP transport's bearer authentication.</summary>
public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="BearerAuthentication"/> (over the <see cref="TokenStore"/> the caller registers) and, when
    /// <c>server.auth.jwt</c> is set, the JWT validator, its key source and the key-set refresh.
    /// </summary>
    public static IServiceCollection AddBearerAuthentication(this IServiceCollection services)
    {
        services.AddSingleton(sp => new JwtKeySource(Jwt(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<JwtKeySource>>()));
        services.AddSingleton(sp => new JwtValidator(
            Jwt(sp), sp.GetRequiredService<JwtKeySource>(), sp.GetRequiredService<PermissionTable>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<JwtValidator>>()));
        services.AddHostedService<JwksRefreshService>();
        return services.AddSingleton(sp => new BearerAuthentication(
            sp.GetRequiredService<TokenStore>(),
            sp.GetRequiredService<NodeConfig>().Loaded.Jwt is null ? null : sp.GetRequiredService<JwtValidator>()));
    }

    private static JwtSettings Jwt(IServiceProvider services) =>
        services.GetRequiredService<NodeConfig>().Loaded.Jwt ?? throw new InvalidOperationException("server.auth.jwt is not set.");
}
