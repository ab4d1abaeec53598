namespace StrategyLab.FakeServers.Common;

/// <summary>
/// Lets tests await a condition on a fake server's state: every change pulses the signal and waiters re-check their
/// condition, so no test polls or sleeps.
/// </summary>
public sealed class StateSignal
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes every waiter to re-check its condition.</summary>
    public void Pulse() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Returns once <paramref name="condition"/> holds (checked now and after every change).</summary>
    /// <exception cref="TimeoutException">It did not hold within <paramref name="timeout"/>; the message includes <paramref name="describe"/>'s text.</exception>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string>? describe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (condition())
            {
                return;
            }

            try
            {
                await changed.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (condition())
                {
                    return;
                }

                throw new TimeoutException($"The condition did not hold within {timeout}. State: {describe?.Invoke() ?? "(not described)"}");
            }
        }
    }
}
