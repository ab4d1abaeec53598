using System.Net.WebSockets;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Tests.Providers.Streaming;

/// <summary>
/// The inbox between a stream's read loop and its handshake, in the race a server that answers and closes at once
/// creates: the socket's close cancels the handshake while its send still looks unfinished, and the answer already read
/// must decide (a CI run saw Polygon's <c>auth_failed</c> taken for a dropped connection and retried).
/// </summary>
public sealed class HandshakeInboxTests
{
    [Fact]
    public async Task AMessageAlreadyReceived_IsReturned_EvenWhenCancelled()
    {
        var inbox = new HandshakeInbox<string>();
        inbox.Open();
        Assert.True(inbox.TryPost("auth_failed"));

        Assert.Equal("auth_failed", await inbox.ReceiveAsync(new CancellationToken(canceled: true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inbox.ReceiveAsync(new CancellationToken(canceled: true)).AsTask());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ASendCutShortAfterTheAnswerCame_LeavesTheAnswerToBeRead(bool socketError)
    {
        var inbox = new HandshakeInbox<string>();
        inbox.Open();
        using var socketGone = new CancellationTokenSource();

        await inbox.SendAsync(
            _ =>
            {
                // The read loop posts the answer, then sees the close, which cancels the handshake mid-send.
                inbox.TryPost("auth_failed");
                socketGone.Cancel();
                return Task.FromException(socketError
                    ? new WebSocketException("closed")
                    : new OperationCanceledException(socketGone.Token));
            },
            socketGone.Token);

        Assert.Equal("auth_failed", await inbox.ReceiveAsync(socketGone.Token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ASendThatFails_WithNoAnswer_StillFails(bool socketError)
    {
        var inbox = new HandshakeInbox<string>();
        inbox.Open();
        using var socketGone = new CancellationTokenSource();
        socketGone.Cancel();
        Exception failure = socketError ? new WebSocketException("closed") : new OperationCanceledException(socketGone.Token);

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => inbox.SendAsync(_ => Task.FromException(failure), socketGone.Token));

        Assert.Same(failure, thrown);
    }

    [Fact]
    public async Task OtherFailures_AreNeverSwallowed()
    {
        var inbox = new HandshakeInbox<string>();
        inbox.Open();
        inbox.TryPost("connected");

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => inbox.SendAsync(_ => Task.FromException(new InvalidOperationException("bug")), CancellationToken.None));
    }
}
