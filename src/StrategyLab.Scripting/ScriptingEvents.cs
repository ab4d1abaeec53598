using Microsoft.Extensions.Logging;

namespace StrategyLab.Scripting;

/// <summary>The structured log events of user strategies (stable names: tools and tests match on them).</summary>
public static class ScriptingEvents
{
    /// <summary>A strategy's source was compiled (cache miss); carries the time it took.</summary>
    public static readonly EventId Compiled = new(7001, "strategy.compiled");

    /// <summary>A strategy's source was unchanged: the compiled assembly came from the cache, without the compiler.</summary>
    public static readonly EventId CacheHit = new(7002, "strategy.cache_hit");

    /// <summary>The compiler warned about the strategy's source (the run goes on).</summary>
    public static readonly EventId CompileWarning = new(7003, "strategy.compile_warning");

    /// <summary>The cache could not be written (read-only, full disk): the run goes on with the assembly in memory.</summary>
    public static readonly EventId CacheWriteFailed = new(7004, "strategy.cache_write_failed");

    /// <summary>A strategy class library was loaded.</summary>
    public static readonly EventId AssemblyLoaded = new(7005, "strategy.assembly_loaded");
}
