using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;

namespace StrategyLab.Providers.Streaming;

// The receiving side of a connection: the read loop, frame delivery, the silence watchdog and closing.
public sealed partial class ReconnectingWebSocket
{
    private async Task<string> ReceiveLoopAsync(Connection connection, CancellationToken cancellationToken)
    {
        var socket = connection.Socket;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var count = 0;
        var oversized = 0L;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    if (buffer.Length >= _options.MaxFrameBytes)
                    {
                        // Too large: keep reading to the end of the frame but drop its content.
                        oversized += count;
                        count = 0;
                    }
                    else
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxFrameBytes));
                        buffer.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                connection.LastActivity = _time.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return connection.AbortReason ?? DescribeClose(socket);
                }

                count += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                Interlocked.Increment(ref _framesReceived);
                if (oversized > 0)
                {
                    StreamLogEvents.LogFrameOversized(_logger, _provider, oversized + count, _options.MaxFrameBytes, null);
                }
                else
                {
                    DeliverFrame(buffer.AsSpan(0, count));
                }

                count = 0;
                oversized = 0;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            if (connection.AbortReason is { } reason)
            {
                return reason;
            }

            return Stopping || cancellationToken.IsCancellationRequested
                ? "stopped by the client"
                : "connection lost: " + _redactor.Describe(e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void DeliverFrame(ReadOnlySpan<byte> frame)
    {
        try
        {
            _handler.OnFrame(frame, UtcNow);
        }
        catch (Exception e)
        {
            // A handler bug must not kill the stream.
            StreamLogEvents.LogFrameHandlerFailed(_logger, _provider, _redactor.Describe(e), null);
        }
    }

    /// <summary>
    /// Checks for silence on a periodic timer of the <see cref="TimeProvider"/> (a fifth of the timeout): while silence
    /// matters, no frame for <see cref="ReconnectingWebSocketOptions.SilenceTimeout"/> aborts the socket; while it does not,
    /// the count restarts.
    /// </summary>
    private ITimer StartWatchdog(Connection connection)
    {
        var step = TimeSpan.FromTicks(Math.Max(_options.SilenceTimeout.Ticks / 5, TimeSpan.FromMilliseconds(10).Ticks));
        return _time.CreateTimer(
            static state =>
            {
                var (self, connection) = ((ReconnectingWebSocket, Connection))state!;
                self.CheckSilence(connection);
            },
            (this, connection),
            step,
            step);
    }

    private void CheckSilence(Connection connection)
    {
        try
        {
            if (connection.AbortReason is not null || !connection.TryEnterCheck())
            {
                return;
            }

            try
            {
                var now = _time.GetTimestamp();
                if (!_handler.IsSilenceSignificant(UtcNow))
                {
                    connection.LastActivity = now;
                    return;
                }

                var silent = _time.GetElapsedTime(connection.LastActivity, now);
                var timeout = _options.SilenceTimeout;
                if (silent < timeout)
                {
                    return;
                }

                StreamLogEvents.LogSilence(_logger, _provider, silent.TotalSeconds, null);
                connection.AbortReason = string.Create(
                    CultureInfo.InvariantCulture, $"no frame for {silent.TotalSeconds:0.###} s (silence timeout {timeout.TotalSeconds:0.###} s)");

                // A silent socket will not answer a close frame: abort it; the read loop ends with the reason above.
                connection.Socket.Abort();
            }
            finally
            {
                connection.ExitCheck();
            }
        }
        catch (Exception e)
        {
            // A timer callback must never throw (it would end the process); a failing handler is logged instead.
            StreamLogEvents.LogFrameHandlerFailed(_logger, _provider, "silence check: " + _redactor.Describe(e), null);
        }
    }

    private async Task CloseAsync(Connection connection)
    {
        // Answer the server's close (or say goodbye) so the old socket is really gone before the next connect.
        if (connection.Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
            await connection.Sender.TryCloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token)
                .ConfigureAwait(false);
        }

        connection.Socket.Abort();
    }

    private string DescribeClose(WebSocket socket)
    {
        var status = socket.CloseStatus is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) + " " + s : "no status";
        var description = string.IsNullOrEmpty(socket.CloseStatusDescription) ? string.Empty : ": " + _redactor.Redact(socket.CloseStatusDescription);
        return $"the server closed the connection ({status}{description})";
    }

    private string DescribeFailure(Exception e) => e switch
    {
        TimeoutException or WebSocketException when e.InnerException is null => _redactor.Redact(e.Message),
        _ => _redactor.Describe(e),
    };
}
