using System.Globalization;
using System.Text;
using System.Text.Json;
using StrategyLab.Core.Statistics;

namespace StrategyLab.Runner.Sweeps;

/// <summary>
/// <c>sweep.csv</c> (one row per combination: index, parameters, every statistic, error; deterministic, so the same
/// sweep gives the same bytes whatever <c>--jobs</c> or executor) and <c>sweep.json</c> (the same plus run times, the
/// objective, the best, PSR/DSR and the walk-forward windows).
/// </summary>
public static class SweepOutput
{
    /// <summary>The CSV's file name.</summary>
    public const string CsvFileName = "sweep.csv";

    /// <summary>The JSON's file name.</summary>
    public const string JsonFileName = "sweep.json";

    /// <summary>Writes <c>sweep.csv</c>. The run time is left out on purpose: it differs from run to run.</summary>
    public static void WriteCsv(string path, SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        File.WriteAllText(path, Csv(result.Plan, result.Rows), new UTF8Encoding(false));
    }

    /// <summary>The text of <c>sweep.csv</c> for <paramref name="rows"/> (sorted by index here too).</summary>
    public static string Csv(SweepPlan plan, IEnumerable<SweepRow> rows)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        text.Append("index");
        foreach (var d in plan.Dimensions)
        {
            text.Append(',').Append(Field(d.Name));
        }

        foreach (var c in SweepColumns.All)
        {
            text.Append(',').Append(c.Name);
        }

        text.Append(",error\n");
        foreach (var row in rows.OrderBy(r => r.Index))
        {
            text.Append(row.Index.ToString(CultureInfo.InvariantCulture));
            foreach (var d in plan.Dimensions)
            {
                text.Append(',').Append(Field(row.Parameters.FirstOrDefault(p => p.Key == d.Name).Value ?? string.Empty));
            }

            foreach (var c in SweepColumns.All)
            {
                text.Append(',').Append(row.Statistics is { } s ? c.Text(s) : string.Empty);
            }

            text.Append(',').Append(Field(row.Error ?? string.Empty)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Writes <c>sweep.json</c>.</summary>
    public static void WriteJson(string path, SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }); // a file, not a page: "fast<slow" stays readable
        w.WriteStartObject();
        w.WriteString("objective", result.Plan.Objective.Name);
        w.WriteString("direction", result.Plan.Objective.LowerIsBetter ? "minimise" : "maximise");
        w.WriteString("method", result.Plan.Method);
        if (result.Plan.Seed is { } seed)
        {
            w.WriteNumber("seed", seed);
        }

        w.WriteNumber("grid_size", result.Plan.GridSize);
        w.WriteNumber("combinations", result.Rows.Count);
        w.WriteNumber("failed", result.Rows.Count(r => r.Statistics is null));
        w.WriteStartArray("parameters");
        foreach (var d in result.Plan.Dimensions)
        {
            w.WriteStartObject();
            w.WriteString("name", d.Name);
            w.WriteStartArray("values");
            foreach (var v in d.Values)
            {
                w.WriteStringValue(v);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("constraints");
        foreach (var c in result.Plan.Constraints)
        {
            w.WriteStringValue(c.Text);
        }

        w.WriteEndArray();
        w.WriteNumber("elapsed_ms", Math.Round(result.Elapsed.TotalMilliseconds));
        if (result.Best is { } best)
        {
            w.WritePropertyName("best");
            WriteRow(w, best, withEquity: false);
        }
        else
        {
            w.WriteNull("best");
        }

        w.WritePropertyName("overfitting");
        WriteOverfitting(w, result.Overfitting);
        w.WriteStartArray("top");
        foreach (var (row, folder) in result.TopFolders)
        {
            w.WriteStartObject();
            w.WriteNumber("index", row.Index);
            w.WriteString("folder", Path.GetRelativePath(result.Folder, folder).Replace('\\', '/'));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("rows");
        foreach (var row in result.Rows)
        {
            WriteRow(w, row, withEquity: false);
        }

        w.WriteEndArray();
        w.WritePropertyName("walk_forward");
        WriteWalkForward(w, result.WalkForward);
        w.WriteEndObject();
    }

    private static void WriteOverfitting(Utf8JsonWriter w, SharpeOverfitting? o)
    {
        if (o is null)
        {
            w.WriteNullValue();
            return;
        }

        w.WriteStartObject();
        Raw(w, "sharpe_per_period", o.SharpePerPeriod);
        w.WriteNumber("observations", o.Observations);
        Raw(w, "skewness", o.Skewness);
        Raw(w, "kurtosis", o.Kurtosis);
        Raw(w, "psr", o.Psr);
        w.WriteNumber("trials", o.Trials);
        Raw(w, "trial_sharpe_variance", o.TrialSharpeVariance);
        Raw(w, "expected_max_sharpe", o.ExpectedMaxSharpe);
        Raw(w, "dsr", o.Dsr);
        w.WriteEndObject();
    }

    private static void WriteWalkForward(Utf8JsonWriter w, WalkForwardResult? wf)
    {
        if (wf is null)
        {
            w.WriteNullValue();
            return;
        }

        w.WriteStartObject();
        w.WriteNumber("train_days", wf.Spec.Train);
        w.WriteNumber("test_days", wf.Spec.Test);
        w.WriteNumber("step_days", wf.Spec.Step);
        Raw(w, "stitched_return", wf.StitchedReturn);
        if (wf.StitchedSharpe is { } sharpe)
        {
            Raw(w, "stitched_sharpe", sharpe);
        }
        else
        {
            w.WriteNull("stitched_sharpe");
        }

        w.WriteStartArray("windows");
        foreach (var window in wf.Windows)
        {
            w.WriteStartObject();
            w.WriteNumber("window", window.Number);
            w.WriteString("train_from", Date(window.Train.From));
            w.WriteString("train_to", Date(window.Train.To));
            w.WriteString("test_from", Date(window.Test.From));
            w.WriteString("test_to", Date(window.Test.To));
            w.WritePropertyName("in_sample");
            WriteRowOrNull(w, window.InSample);
            w.WritePropertyName("out_of_sample");
            WriteRowOrNull(w, window.OutOfSample);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("stitched_equity");
        foreach (var day in wf.StitchedEquity)
        {
            w.WriteStartArray();
            w.WriteStringValue(Date(day.Date));
            w.WriteRawValue(SweepColumns.Num(day.Equity));
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRowOrNull(Utf8JsonWriter w, SweepRow? row)
    {
        if (row is null)
        {
            w.WriteNullValue();
        }
        else
        {
            WriteRow(w, row, withEquity: false);
        }
    }

    /// <summary>One row: index, parameters, statistics (as in summary.json), error and run time.</summary>
    internal static void WriteRow(Utf8JsonWriter w, SweepRow row, bool withEquity)
    {
        w.WriteStartObject();
        w.WriteNumber("index", row.Index);
        w.WriteStartObject("parameters");
        foreach (var (key, value) in row.Parameters)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
        if (row.Statistics is { } s)
        {
            w.WriteStartObject("statistics");
            foreach (var c in SweepColumns.All)
            {
                var text = c.Text(s);
                if (text.Length == 0)
                {
                    w.WriteNull(c.Name);
                }
                else if (c.Name == "longest_drawdown")
                {
                    w.WriteString(c.Name, text);
                }
                else
                {
                    w.WritePropertyName(c.Name);
                    w.WriteRawValue(text);
                }
            }

            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("statistics");
        }

        if (row.Error is { } error)
        {
            w.WriteString("error", error);
        }
        else
        {
            w.WriteNull("error");
        }

        w.WriteNumber("run_time_ms", Math.Round(row.Elapsed.TotalMilliseconds, 1));
        if (withEquity)
        {
            WriteEquity(w, row.DailyEquity);
        }

        w.WriteEndObject();
    }

    private static void WriteEquity(Utf8JsonWriter w, IReadOnlyList<DailyEquity> equity)
    {
        w.WriteStartArray("daily_equity");
        foreach (var day in equity)
        {
            w.WriteStartArray();
            w.WriteStringValue(Date(day.Date));
            w.WriteRawValue(SweepColumns.Num(day.Equity));
            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    private static void Raw(Utf8JsonWriter w, string name, double value)
    {
        w.WritePropertyName(name);
        w.WriteRawValue(double.IsFinite(value) ? SweepColumns.Num(value) : "null");
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Field(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
