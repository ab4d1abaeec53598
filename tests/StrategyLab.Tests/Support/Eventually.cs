namespace StrategyLab.Tests.Support;

/// <summary>Waits, in real time, for something another thread or a socket makes true.</summary>
public static class Eventually
{
    /// <summary>Returns once <paramref name="condition"/> holds; fails naming <paramref name="what"/> after the timeout (default 15 s).</summary>
    public static async Task Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(2, TestContext.Current.CancellationToken);
        }
    }
}
