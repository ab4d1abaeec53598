using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StrategyLab.Tests.Support;

/// <summary>
/// A bare HTTP/1.1 server on 127.0.0.1 (a port of its own, so each instance is its own origin) that records every
/// request as received, head and all, and answers each with what <c>answer</c> gives for its path and query. One
/// request per connection.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, (int Status, string? Location, string Body)> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts listening; <paramref name="answer"/> maps a request target (path and query) to the answer.</summary>
    public LoopbackHttpServer(Func<string, (int Status, string? Location, string Body)> answer)
    {
        _answer = answer;
        _listener.Start();
        _loop = AcceptAsync();
    }

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url => "http://127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every request head received (request line and headers), in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            var text = head.ToString();
            Requests.Enqueue(text);
            var target = text.Split(' ', 3)[1];
            var (status, location, body) = _answer(target);
            var bytes = Encoding.UTF8.GetBytes(body);
            var response = new StringBuilder()
                .Append("HTTP/1.1 ").Append(status).Append(status is >= 300 and < 400 ? " Redirect" : " OK").Append("\r\n")
                .Append("Content-Type: application/json\r\n")
                .Append("Content-Length: ").Append(bytes.Length).Append("\r\n")
                .Append("Connection: close\r\n");
            if (location is not null)
            {
                response.Append("Location: ").Append(location).Append("\r\n");
            }

            response.Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response.ToString()), _stop.Token);
            await stream.WriteAsync(bytes, _stop.Token);
        }
    }
}
