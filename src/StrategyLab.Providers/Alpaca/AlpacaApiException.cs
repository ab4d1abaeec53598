using System.Net;

namespace StrategyLab.Providers.Alpaca;

/// <summary>An Alpaca call failed. The message names the endpoint, status and Alpaca's text, never a key.</summary>
public sealed class AlpacaApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AlpacaApiException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public AlpacaApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AlpacaApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the answer's status and Alpaca's error code.</summary>
    public AlpacaApiException(string message, HttpStatusCode? statusCode, int? errorCode, bool outcomeUnknown)
        : base(message)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        OutcomeUnknown = outcomeUnknown;
    }

    /// <summary>The HTTP status; null for network errors and timeouts.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Alpaca's 8-digit error code (e.g. 40310000 insufficient buying power), when the body had one.</summary>
    public int? ErrorCode { get; }

    /// <summary>
    /// True when the request may or may not have taken effect (no answer, timeout, 5xx after every retry). For a submit,
    /// the client already looked the order up by client order id; a caller that still gets this must reconcile later.
    /// </summary>
    public bool OutcomeUnknown { get; }
}
