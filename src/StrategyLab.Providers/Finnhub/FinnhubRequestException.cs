using System.Net;

namespace StrategyLab.Providers.Finnhub;

/// <summary>A Finnhub REST call failed. The message names the endpoint and status, never the key.</summary>
public sealed class FinnhubRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FinnhubRequestException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public FinnhubRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public FinnhubRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the HTTP status of the answer.</summary>
    public FinnhubRequestException(string message, HttpStatusCode? statusCode)
        : base(message)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status of the failed answer; null for network errors and timeouts.</summary>
    public HttpStatusCode? StatusCode { get; }
}
