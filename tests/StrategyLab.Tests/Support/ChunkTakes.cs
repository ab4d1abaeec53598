using StrategyLab.Core.Domain;
using StrategyLab.Data;

namespace StrategyLab.Tests.Support;

/// <summary>Takes every bar of a chunk-handing enumerator as the engine's feed does: by chunks, with single moves mixed in.</summary>
public static class ChunkTakes
{
    /// <summary>
    /// Adds the bars of <paramref name="e"/> (which must hand over chunks) to <paramref name="seen"/>: a chunk per take,
    /// except every <paramref name="movesEvery"/>-th take (when positive), which moves one bar. An error of the
    /// enumerator propagates with the bars before it already in <paramref name="seen"/>.
    /// </summary>
    public static void Into(IEnumerator<Bar> e, int movesEvery, List<Bar> seen)
    {
        var reader = Assert.IsAssignableFrom<IBarChunkReader>(e);
        var takes = 0;
        while (true)
        {
            if (movesEvery > 0 && ++takes % movesEvery == 0)
            {
                if (!e.MoveNext())
                {
                    return;
                }

                seen.Add(e.Current); // one at a time now and then
            }
            else if (reader.TryTakeChunk(out var chunk))
            {
                seen.AddRange(chunk);
            }
            else
            {
                return;
            }
        }
    }
}
