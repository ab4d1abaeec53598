using System.Text;

namespace StrategyLab.FakeServers.Alpaca;

public sealed partial class FakeAlpacaServer
{
    /// <summary>
    /// Sends <paramref name="text"/> as it is (a garbled frame, an error message, a batch) to every authenticated market
    /// data socket.
    /// </summary>
    public void PushDataFrame(string text)
    {
        var frame = Encoding.UTF8.GetBytes(text);
        foreach (var s in _dataSockets.Values.Where(s => s.Authenticated))
        {
            s.Send(frame, binary: false);
        }

        _signal.Pulse();
    }
}
