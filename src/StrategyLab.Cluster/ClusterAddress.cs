using StackExchange.Redis;

namespace StrategyLab.Cluster;

/// <summary>
/// The <c>--cluster redis://host:port</c> address: the Redis server that holds the cluster's membership table (which
/// worker silos are alive, and where). Workers and clients of one cluster name the same one.
/// </summary>
public static class ClusterAddress
{
    /// <summary>The Orleans cluster id every worker and client uses (one cluster per Redis database).</summary>
    public const string ClusterId = "strategylab";

    /// <summary>The Orleans service id.</summary>
    public const string ServiceId = "strategylab-sweeps";

    /// <summary>Parses <c>redis://host[:port]</c> (default port 6379) into the Redis client's options.</summary>
    /// <exception cref="FormatException">Not a <c>redis://</c> address.</exception>
    public static ConfigurationOptions Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || string.IsNullOrEmpty(uri.Host)
            || uri.AbsolutePath.Length > 1 || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new FormatException($"--cluster: '{address}' is not a Redis address; expected redis://host:port (e.g. redis://10.0.0.5:6379).");
        }

        var options = new ConfigurationOptions { AbortOnConnectFail = false };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        return options;
    }
}
