using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Scripting;

/// <summary>What a compilation gave: the assembly image, or the errors.</summary>
/// <param name="Image">The assembly (with its portable PDB embedded); null when there were errors.</param>
/// <param name="Errors">Each error as <c>file(line,col): error CSxxxx: message</c>, the way <c>dotnet build</c> prints it.</param>
/// <param name="Warnings">Each warning, in the same format.</param>
internal sealed record CompileResult(byte[]? Image, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings);

/// <summary>
/// Compiles a user strategy with Roslyn against the engine's public API (<c>StrategyLab.Core</c>, the assemblies it
/// exposes, and the .NET runtime's own assemblies): latest C#, nullable enabled, optimized, deterministic, a portable PDB
/// embedded so a runtime error can name the user's line. The only class that touches Roslyn: keep it that way, so a
/// cache hit never loads the compiler.
/// </summary>
internal static class StrategyCompiler
{
    private static readonly Lazy<MetadataReference[]> References = new(LoadReferences);

    /// <summary>Compiles <paramref name="sources"/> into an assembly named <paramref name="assemblyName"/>.</summary>
    /// <param name="assemblyName">The assembly's name.</param>
    /// <param name="sources">Each file's full path (recorded in the PDB) and bytes.</param>
    /// <param name="displayPath">Turns a full path into the path the user gave, for messages.</param>
    public static CompileResult Compile(string assemblyName, IReadOnlyList<(string FullPath, byte[] Bytes)> sources, Func<string, string> displayPath)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new List<SyntaxTree>(sources.Count + 1);
        foreach (var (path, bytes) in sources)
        {
            var text = SourceText.From(bytes, bytes.Length, Encoding.UTF8, SourceHashAlgorithm.Sha256, throwIfBinaryDetected: false, canBeEmbedded: true);
            trees.Add(CSharpSyntaxTree.ParseText(text, parse, path));
        }

        var usings = string.Concat(CompileOptions.GlobalUsings.Select(u => $"global using global::{u};\n"));
        trees.Add(CSharpSyntaxTree.ParseText(SourceText.From(usings, Encoding.UTF8), parse, "StrategyLab.GlobalUsings.g.cs"));
        var options = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            optimizationLevel: OptimizationLevel.Release,
            nullableContextOptions: NullableContextOptions.Enable,
            deterministic: true,
            concurrentBuild: false,
            specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic>
            {
                // Compiling against the runtime's implementation assemblies: version unification notes are noise.
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });
        var compilation = CSharpCompilation.Create(assemblyName, trees, References.Value, options);
        using var image = new MemoryStream();
        var emit = compilation.Emit(image, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.Embedded));
        var errors = new List<string>();
        var warnings = new List<string>();
        foreach (var d in emit.Diagnostics.OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start))
        {
            if (d.Severity == DiagnosticSeverity.Error)
            {
                errors.Add(Format(d, displayPath));
            }
            else if (d.Severity == DiagnosticSeverity.Warning)
            {
                warnings.Add(Format(d, displayPath));
            }
        }

        return new CompileResult(emit.Success ? image.ToArray() : null, errors, warnings);
    }

    /// <summary><c>file(line,col): error CS0103: message</c>, lines and columns from 1, as <c>dotnet build</c> prints.</summary>
    private static string Format(Diagnostic d, Func<string, string> displayPath)
    {
        var severity = d.Severity == DiagnosticSeverity.Error ? "error" : "warning";
        var message = d.GetMessage(CultureInfo.InvariantCulture);
        if (!d.Location.IsInSource)
        {
            return $"{severity} {d.Id}: {message}";
        }

        var span = d.Location.GetMappedLineSpan();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{displayPath(span.Path)}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): {severity} {d.Id}: {message}");
    }

    /// <summary>The runtime's own assemblies, the engine's core and the assemblies its public API exposes.</summary>
    private static MetadataReference[] LoadReferences()
    {
        var runtime = Path.TrimEndingDirectorySeparator(RuntimeEnvironment.GetRuntimeDirectory());
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
        {
            foreach (var path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                if (string.Equals(Path.GetDirectoryName(path), runtime, StringComparison.Ordinal) && path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                {
                    paths.Add(path);
                }
            }
        }

        var core = typeof(IStrategy).Assembly;
        paths.Add(core.Location);
        foreach (var name in core.GetReferencedAssemblies())
        {
            var location = Assembly.Load(name).Location;
            if (location.Length > 0)
            {
                paths.Add(location);
            }
        }

        return [.. paths.Select(IsManaged).Where(p => p is not null).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p!))];
    }

    /// <summary>The path when it is a managed assembly (the runtime folder also holds a few native images).</summary>
    private static string? IsManaged(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            return pe.HasMetadata ? path : null;
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }
}
