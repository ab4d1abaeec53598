using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace StrategyLab.FakeServers.Common;

/// <summary>
/// The web host every fake runs on: Kestrel bound to 127.0.0.1 only (never another address) on a port the system
/// picks, WebSockets accepted without server-side keep-alive pings (each fake sends its provider's own pings), and one
/// request delegate that routes everything.
/// </summary>
internal static class LoopbackWebHost
{
    /// <summary>Starts the host; returns it (to dispose) and the port it listens on, formatted for URLs.</summary>
    public static async Task<(WebApplication App, string Port)> StartAsync(RequestDelegate handler, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddLogging();
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(handler);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address).Port.ToString(CultureInfo.InvariantCulture));
    }
}
