using System.Text;
using Spectre.Console;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// The end-of-run summary: a titled two-column table (metric, right-aligned value) with a rounded border. On a terminal
/// it is a Spectre.Console table (<see cref="ToSpectre"/>); into a pipe or a file <see cref="TryRender"/> lays it out
/// itself, character for character as Spectre prints it there (no colour, no control codes), because Spectre's
/// measuring and markup parsing were about a sixth of the CPU of a small backtest (docs/performance.md: Start-up).
/// </summary>
/// <remarks>
/// Covered: cells of printable ASCII (and the title's em dash), a value column that Spectre narrows and wraps to fit the
/// console width (word wrap, over-long words folded), a title no wider than the table. Anything else (other characters,
/// whose cell widths Spectre measures; a console so narrow that Spectre would narrow the metric column too) returns
/// null and the caller renders with Spectre. Tests compare both renderings over many summaries and widths.
/// </remarks>
internal sealed class PlainSummaryTable
{
    /// <summary>The first column's header.</summary>
    public const string MetricHeader = "Metric";

    /// <summary>The second column's header.</summary>
    public const string ValueHeader = "Value";

    // Two edges, one separator and a space of padding on each side of each of the two cells.
    private const int FrameWidth = 7;

    private readonly List<(string Metric, string Value)> _rows = [];
    private readonly List<int> _tones = [];

    /// <summary>A table titled <paramref name="title"/> (plain text, not markup).</summary>
    public PlainSummaryTable(string title) => Title = title;

    /// <summary>The title, centred above the table.</summary>
    public string Title { get; }

    /// <summary>The rows, in order.</summary>
    public IReadOnlyList<(string Metric, string Value)> Rows => _rows;

    /// <summary>
    /// Adds a row (plain text, not markup). A non-zero <paramref name="tone"/> colours the value on a terminal by that
    /// sign (green above zero, red below): the sign of the value shown, never another row's.
    /// </summary>
    public void Add(string metric, string value, int tone = 0)
    {
        _rows.Add((metric, value));
        _tones.Add(Math.Sign(tone));
    }

    /// <summary>The same table as a Spectre.Console widget.</summary>
    public Table ToSpectre()
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(Title));
        table.AddColumn(MetricHeader);
        table.AddColumn(new TableColumn(ValueHeader).RightAligned());
        for (var i = 0; i < _rows.Count; i++)
        {
            var (metric, value) = _rows[i];
            var text = Markup.Escape(value);
            table.AddRow(Markup.Escape(metric), _tones[i] switch { > 0 => "[green]" + text + "[/]", < 0 => "[red]" + text + "[/]", _ => text });
        }

        return table;
    }

    /// <summary>
    /// The table as Spectre prints it without colour on a console <paramref name="width"/> columns wide, each line ended
    /// by <see cref="Environment.NewLine"/>; null when this layout does not cover the table (render it with Spectre).
    /// </summary>
    public string? TryRender(int width)
    {
        if (!IsPlain(Title))
        {
            return null;
        }

        var metricWidth = MetricHeader.Length;
        var valueWidth = ValueHeader.Length;
        foreach (var (metric, value) in _rows)
        {
            if (!IsPlain(metric) || !IsPlain(value))
            {
                return null;
            }

            metricWidth = Math.Max(metricWidth, metric.Length);
            valueWidth = Math.Max(valueWidth, value.Length);
        }

        var cellsWidth = width - FrameWidth;
        if (metricWidth + valueWidth > cellsWidth)
        {
            // Spectre takes the excess from the widest column as long as it stays at least as wide as the next one;
            // past that it shares the cut between the columns, which this layout does not do.
            if (2 * metricWidth > cellsWidth)
            {
                return null;
            }

            valueWidth = cellsWidth - metricWidth;
        }

        var tableWidth = metricWidth + valueWidth + FrameWidth;
        if (Title.Length > tableWidth)
        {
            return null; // Spectre wraps the title
        }

        var newLine = Environment.NewLine;
        var text = new StringBuilder((tableWidth + newLine.Length) * (_rows.Count + 8));
        var left = (tableWidth - Title.Length) / 2;
        text.Append(' ', left).Append(Title).Append(' ', tableWidth - Title.Length - left).Append(newLine);
        Rule(text, '╭', '┬', '╮', metricWidth, valueWidth);
        Line(text, MetricHeader, metricWidth, ValueHeader, valueWidth);
        if (_rows.Count > 0)
        {
            Rule(text, '├', '┼', '┤', metricWidth, valueWidth); // Spectre draws the header's rule only above a row
        }

        var lines = new List<string>();
        foreach (var (metric, value) in _rows)
        {
            lines.Clear();
            if (!TryWrap(value, valueWidth, lines))
            {
                return null;
            }

            for (var i = 0; i < Math.Max(1, lines.Count); i++)
            {
                Line(text, i == 0 ? metric : string.Empty, metricWidth, i < lines.Count ? lines[i] : string.Empty, valueWidth);
            }
        }

        Rule(text, '╰', '┴', '╯', metricWidth, valueWidth);
        return text.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> as Spectre prints a paragraph of it (left-aligned) on a console <paramref name="width"/>
    /// columns wide, each line ended by <see cref="Environment.NewLine"/>; null when not covered.
    /// </summary>
    public static string? TryRenderParagraph(string text, int width)
    {
        var lines = new List<string>();
        if (!IsPlain(text) || !TryWrap(text, width, lines))
        {
            return null;
        }

        var result = new StringBuilder(text.Length + (lines.Count * Environment.NewLine.Length));
        foreach (var line in lines)
        {
            result.Append(line).Append(Environment.NewLine);
        }

        return result.ToString();
    }

    /// <summary>
    /// Spectre's word wrap: whitespace runs and words are placed greedily; a piece that does not fit starts the next line
    /// (a whitespace run that does not fit is dropped, one that fits stays at the line's end); a word wider than the
    /// line is cut into pieces of the line's width. False when the text is one Spectre would wrap differently.
    /// </summary>
    private static bool TryWrap(string text, int width, List<string> lines)
    {
        if (width <= 0)
        {
            return false;
        }

        if (text.Length <= width)
        {
            lines.Add(text);
            return true;
        }

        if (char.IsWhiteSpace(text[0]))
        {
            return false; // Spectre indents the continuation lines of such a paragraph
        }

        var line = new StringBuilder(width);
        var start = 0;
        while (start < text.Length)
        {
            var space = text[start] == ' ';
            var end = start;
            while (end < text.Length && (text[end] == ' ') == space)
            {
                end++;
            }

            var piece = text.AsSpan(start, end - start);
            start = end;
            if (piece.Length > width)
            {
                if (space)
                {
                    return false;
                }

                if (line.Length > 0)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                }

                for (var at = 0; at < piece.Length; at += width)
                {
                    if (line.Length > 0)
                    {
                        lines.Add(line.ToString());
                        line.Clear();
                    }

                    line.Append(piece.Slice(at, Math.Min(width, piece.Length - at)));
                }

                continue;
            }

            if (line.Length + piece.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
                if (space)
                {
                    continue;
                }
            }

            line.Append(piece);
        }

        if (line.Length > 0)
        {
            lines.Add(line.ToString());
        }

        return true;
    }

    /// <summary>True for text whose every character is one console cell wide and printed as itself: printable ASCII and the em dash.</summary>
    private static bool IsPlain(string text)
    {
        foreach (var c in text)
        {
            if (c is (< ' ' or > '~') and not '—')
            {
                return false;
            }
        }

        return true;
    }

    private static void Rule(StringBuilder text, char left, char middle, char right, int metricWidth, int valueWidth) =>
        text.Append(left).Append('─', metricWidth + 2).Append(middle).Append('─', valueWidth + 2).Append(right).Append(Environment.NewLine);

    private static void Line(StringBuilder text, string metric, int metricWidth, string value, int valueWidth) =>
        text.Append("│ ").Append(metric).Append(' ', metricWidth - metric.Length)
            .Append(" │ ").Append(' ', valueWidth - value.Length).Append(value).Append(" │").Append(Environment.NewLine);
}
