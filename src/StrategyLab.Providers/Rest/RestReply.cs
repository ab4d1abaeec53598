using System.Net;

namespace StrategyLab.Providers.Rest;

/// <summary>How a REST call ended.</summary>
internal enum RestOutcome
{
    /// <summary>A 2xx answer; <see cref="RestReply.Body"/> holds it.</summary>
    Success,

    /// <summary>A non-2xx answer other than 429 (after the retries).</summary>
    HttpError,

    /// <summary>Still HTTP 429 after every retry.</summary>
    RateLimited,

    /// <summary>No answer: connection refused or reset, DNS, TLS.</summary>
    NetworkError,

    /// <summary>No answer within the provider's request timeout.</summary>
    Timeout,
}

/// <summary>The result of one REST call (after retries).</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Status">The HTTP status, when an answer came.</param>
/// <param name="Body">The answer's body, when an answer came.</param>
/// <param name="Detail">A redacted, human-readable account (server error text, exception).</param>
internal sealed record RestReply(RestOutcome Outcome, HttpStatusCode? Status, byte[]? Body, string Detail);
