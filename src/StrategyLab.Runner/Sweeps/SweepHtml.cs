using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StrategyLab.Runner.Sweeps;

/// <summary>
/// <c>sweep.html</c>: one self-contained page (no network, no external file; the data, script and style are inline):
/// a heatmap of two parameters (objective or any other statistic), a sortable table of every combination, the equity
/// curves of the best combinations overlaid, and the walk-forward windows in-sample vs out-of-sample.
/// </summary>
public static class SweepHtml
{
    /// <summary>The page's file name.</summary>
    public const string FileName = "sweep.html";

    /// <summary>Writes the page for <paramref name="result"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        File.WriteAllText(path, Page(result), new UTF8Encoding(false));
    }

    /// <summary>The page's HTML.</summary>
    public static string Page(SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var data = Data(result);

        // The default encoder escapes < > & ' " and non-ASCII as \uXXXX: the data can never close its script element.
        var json = data.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.Default });
        var best = result.Best;
        var o = result.Overfitting;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">")
            .Append("<title>Sweep: ").Append(Encode(result.Plan.Objective.Name)).Append("</title><style>").Append(Css).Append("</style></head><body>")
            .Append("<h1>Parameter sweep</h1><p class=\"meta\">")
            .Append(Invariant($"{result.Rows.Count} combinations ({result.Plan.Method}), objective <b>{Encode(result.Plan.Objective.Name)}</b> ({(result.Plan.Objective.LowerIsBetter ? "lower" : "higher")} is better)."));
        if (best is not null)
        {
            html.Append(" Best: <b id=\"best\">#").Append(best.Index).Append(' ').Append(Encode(string.Join(", ", best.Parameters.Select(p => p.Key + "=" + p.Value)))).Append("</b>.");
        }

        if (o is not null)
        {
            html.Append(Invariant($" PSR of the best: <b id=\"psr\">{o.Psr:0.000}</b>; deflated Sharpe ratio over {o.Trials} trials: <b id=\"dsr\">{o.Dsr:0.000}</b>."));
        }

        html.Append("</p>")
            .Append("<section><h2>Heatmap</h2><div class=\"controls\">")
            .Append("<label>x <select id=\"hx\"></select></label> <label>y <select id=\"hy\"></select></label> <label>statistic <select id=\"hs\"></select></label>")
            .Append("</div><div id=\"heatmap\"><canvas width=\"720\" height=\"420\"></canvas><div class=\"tooltip\"></div></div>")
            .Append("<p class=\"note\">With more than two swept parameters each cell shows the best value over the others.</p></section>")
            .Append("<section><h2>Best combinations: equity</h2><div id=\"equity-chart\"><canvas width=\"900\" height=\"320\"></canvas></div><div id=\"equity-legend\" class=\"legend\"></div></section>")
            .Append("<section id=\"wf-section\"><h2>Walk-forward</h2><div id=\"wf\"></div><div id=\"wf-chart\"><canvas width=\"900\" height=\"260\"></canvas></div></section>")
            .Append("<section><h2>All combinations</h2><p class=\"note\">Click a column to sort.</p><div class=\"scroll\"><table id=\"sweep-table\"><thead></thead><tbody></tbody></table></div></section>")
            .Append("<script type=\"application/json\" id=\"sweep-data\">").Append(json).Append("</script>")
            .Append("<script>").Append(Script).Append("</script></body></html>\n");
        return html.ToString();
    }

    private static JsonObject Data(SweepResult result)
    {
        var rows = new JsonArray();
        foreach (var row in result.Rows)
        {
            var stats = new JsonObject();
            foreach (var c in SweepColumns.All)
            {
                stats[c.Name] = row.Statistics is { } s && c.Value(s) is { } v && double.IsFinite(v) ? v : null;
            }

            rows.Add(new JsonObject
            {
                ["i"] = row.Index,
                ["p"] = new JsonArray([.. result.Plan.Dimensions.Select(d => (JsonNode?)(row.Parameters.FirstOrDefault(p => p.Key == d.Name).Value ?? string.Empty))]),
                ["s"] = stats,
                ["e"] = row.Error,
            });
        }

        var top = new JsonArray();
        foreach (var (row, folder) in result.TopFolders)
        {
            top.Add(new JsonObject
            {
                ["i"] = row.Index,
                ["label"] = "#" + row.Index.ToString(CultureInfo.InvariantCulture) + " " + string.Join(", ", row.Parameters.Select(p => p.Key + "=" + p.Value)),
                ["folder"] = Path.GetRelativePath(result.Folder, folder).Replace('\\', '/'),
                ["equity"] = Equity(row.DailyEquity),
            });
        }

        JsonNode? wf = null;
        if (result.WalkForward is { } w)
        {
            var windows = new JsonArray();
            foreach (var win in w.Windows)
            {
                windows.Add(new JsonObject
                {
                    ["n"] = win.Number,
                    ["train"] = Date(win.Train.From) + " .. " + Date(win.Train.To),
                    ["test"] = Date(win.Test.From) + " .. " + Date(win.Test.To),
                    ["params"] = win.InSample is null ? null : string.Join(", ", win.InSample.Parameters.Select(p => p.Key + "=" + p.Value)),
                    ["is"] = Stats(win.InSample),
                    ["oos"] = Stats(win.OutOfSample),
                });
            }

            wf = new JsonObject
            {
                ["windows"] = windows,
                ["equity"] = Equity(w.StitchedEquity),
                ["return"] = w.StitchedReturn,
                ["sharpe"] = w.StitchedSharpe,
            };
        }

        return new JsonObject
        {
            ["objective"] = result.Plan.Objective.Name,
            ["lowerIsBetter"] = result.Plan.Objective.LowerIsBetter,
            ["lowerIsBetterColumns"] = new JsonArray([.. SweepColumns.All.Where(c => c.LowerIsBetter).Select(c => (JsonNode?)c.Name)]),
            ["dims"] = new JsonArray([.. result.Plan.Dimensions.Select(d => (JsonNode?)new JsonObject { ["name"] = d.Name, ["values"] = new JsonArray([.. d.Values.Select(v => (JsonNode?)v)]) })]),
            ["columns"] = new JsonArray([.. SweepColumns.All.Where(c => c.Name is not ("longest_drawdown_recovered" or "fees_dominate")).Select(c => (JsonNode?)c.Name)]),
            ["rows"] = rows,
            ["top"] = top,
            ["wf"] = wf,
        };
    }

    private static JsonObject? Stats(SweepRow? row)
    {
        if (row?.Statistics is not { } s)
        {
            return null;
        }

        return new JsonObject
        {
            ["total_return"] = s.TotalReturn,
            ["sharpe"] = s.Sharpe,
            ["max_drawdown"] = s.MaxDrawdown,
            ["trade_count"] = s.TradeCount,
        };
    }

    private static JsonArray Equity(IReadOnlyList<Core.Statistics.DailyEquity> equity) =>
        new([.. equity.Select(d => (JsonNode?)new JsonArray(Date(d.Date), (double)d.Equity))]);

    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private const string Css = """
        body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2433;background:#fff}
        h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:22px 0 8px}
        .meta{color:#444}.note{color:#667;font-size:12px;margin:4px 0}
        .controls label{margin-right:12px}
        #heatmap,#equity-chart,#wf-chart{position:relative;display:inline-block;border:1px solid #dde}
        .tooltip{position:absolute;display:none;background:#1d2433;color:#fff;padding:4px 6px;font-size:12px;border-radius:3px;pointer-events:none;white-space:nowrap}
        .legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:12px;height:3px;margin-right:4px;vertical-align:middle}
        .scroll{max-height:520px;overflow:auto;border:1px solid #dde}
        table{border-collapse:collapse;font-size:12px}th,td{padding:3px 7px;border-bottom:1px solid #eef;text-align:right;white-space:nowrap}
        th{position:sticky;top:0;background:#f4f6fa;cursor:pointer;user-select:none}th.sorted-asc::after{content:" \25B2"}th.sorted-desc::after{content:" \25BC"}
        tr.best td{background:#fff6d6}td.err{color:#a33;text-align:left}
        """;

    private const string Script = """
        (function () {
          'use strict';
          const data = JSON.parse(document.getElementById('sweep-data').textContent);
          const dims = data.dims, rows = data.rows, cols = data.columns;
          const palette = ['#2962ff', '#e91e63', '#00a86b', '#ff9800', '#7b1fa2', '#00838f', '#6d4c41', '#c62828', '#455a64', '#9e9d24'];
          const fmt = v => v === null || v === undefined ? '' : (Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toFixed(4));
          const lower = name => data.lowerIsBetterColumns.indexOf(name) >= 0;

          // Heatmap: x and y are two swept parameters, the colour one statistic (best over the other parameters).
          const hx = document.getElementById('hx'), hy = document.getElementById('hy'), hs = document.getElementById('hs');
          dims.forEach((d, i) => { hx.add(new Option(d.name, i)); hy.add(new Option(d.name, i)); });
          cols.forEach(c => hs.add(new Option(c === data.objective ? c + ' (objective)' : c, c)));
          hx.value = '0'; hy.value = dims.length > 1 ? '1' : '0'; hs.value = data.objective;
          const heat = document.getElementById('heatmap'), hc = heat.querySelector('canvas'), tip = heat.querySelector('.tooltip');
          let cells = [];
          function drawHeatmap() {
            const xi = +hx.value, yi = +hy.value, stat = hs.value, low = lower(stat);
            const xs = dims[xi].values, ys = yi === xi ? [''] : dims[yi].values;
            const grid = new Map();
            for (const r of rows) {
              const v = r.s[stat];
              if (v === null || v === undefined) continue;
              const key = r.p[xi] + '\u0000' + (yi === xi ? '' : r.p[yi]);
              const cur = grid.get(key);
              if (cur === undefined || (low ? v < cur.v : v > cur.v)) grid.set(key, { v: v, i: r.i });
            }
            const values = [...grid.values()].map(c => c.v);
            const min = Math.min(...values), max = Math.max(...values);
            const ctx = hc.getContext('2d'), W = hc.width, H = hc.height, L = 70, B = 40, T = 10, R = 10;
            ctx.fillStyle = '#ffffff'; ctx.fillRect(0, 0, W, H);
            const cw = (W - L - R) / xs.length, ch = (H - T - B) / ys.length;
            cells = [];
            ctx.font = '11px sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
            xs.forEach((x, a) => ys.forEach((y, b) => {
              const c = grid.get(x + '\u0000' + y);
              const px = L + a * cw, py = T + (ys.length - 1 - b) * ch;
              let t = c === undefined || max === min ? 0.5 : (c.v - min) / (max - min);
              if (low) t = 1 - t;
              ctx.fillStyle = c === undefined ? '#eeeeee' : 'hsl(' + Math.round(t * 120) + ',70%,' + Math.round(45 + (1 - Math.abs(t - 0.5) * 2) * 10) + '%)';
              ctx.fillRect(px + 1, py + 1, cw - 2, ch - 2);
              if (c !== undefined) {
                cells.push({ x: px, y: py, w: cw, h: ch, text: dims[xi].name + '=' + x + (yi === xi ? '' : ', ' + dims[yi].name + '=' + y) + ': ' + stat + ' ' + fmt(c.v) + ' (#' + c.i + ')' });
                if (cw > 34 && ch > 14) { ctx.fillStyle = '#111'; ctx.fillText(fmt(c.v), px + cw / 2, py + ch / 2); }
              }
            }));
            ctx.fillStyle = '#333';
            xs.forEach((x, a) => ctx.fillText(x, L + a * cw + cw / 2, H - B + 12));
            ctx.fillText(dims[xi].name, L + (W - L - R) / 2, H - 10);
            ctx.textAlign = 'right';
            ys.forEach((y, b) => ctx.fillText(y, L - 6, T + (ys.length - 1 - b) * ch + ch / 2));
            ctx.save(); ctx.translate(12, T + (H - T - B) / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'center';
            ctx.fillText(yi === xi ? '' : dims[yi].name, 0, 0); ctx.restore();
            heat.setAttribute('data-cells', String(cells.length));
            heat.setAttribute('data-statistic', stat);
            heat.setAttribute('data-ready', '1');
          }
          hc.addEventListener('mousemove', e => {
            const box = hc.getBoundingClientRect(), x = (e.clientX - box.left) * hc.width / box.width, y = (e.clientY - box.top) * hc.height / box.height;
            const c = cells.find(c => x >= c.x && x < c.x + c.w && y >= c.y && y < c.y + c.h);
            if (!c) { tip.style.display = 'none'; return; }
            tip.textContent = c.text; tip.style.display = 'block';
            tip.style.left = (e.clientX - box.left + 12) + 'px'; tip.style.top = (e.clientY - box.top + 12) + 'px';
          });
          hc.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
          [hx, hy, hs].forEach(s => s.addEventListener('change', drawHeatmap));
          drawHeatmap();

          // Line charts: several daily equity curves on one canvas.
          function drawLines(el, series) {
            const canvas = el.querySelector('canvas'), ctx = canvas.getContext('2d'), W = canvas.width, H = canvas.height, L = 70, B = 24, T = 10, R = 10;
            ctx.fillStyle = '#ffffff'; ctx.fillRect(0, 0, W, H);
            const dates = [...new Set(series.flatMap(s => s.points.map(p => p[0])))].sort();
            const all = series.flatMap(s => s.points.map(p => p[1]));
            if (dates.length === 0 || all.length === 0) { el.setAttribute('data-ready', '1'); el.setAttribute('data-lines', '0'); return; }
            let min = Math.min(...all), max = Math.max(...all);
            if (max === min) { max += 1; min -= 1; }
            const X = d => L + (dates.length === 1 ? 0.5 : dates.indexOf(d) / (dates.length - 1)) * (W - L - R);
            const Y = v => T + (1 - (v - min) / (max - min)) * (H - T - B);
            ctx.strokeStyle = '#e3e6ee'; ctx.fillStyle = '#555'; ctx.font = '11px sans-serif'; ctx.textAlign = 'right';
            for (let k = 0; k <= 4; k++) { const v = min + (max - min) * k / 4, y = Y(v); ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(W - R, y); ctx.stroke(); ctx.fillText(v.toFixed(0), L - 4, y + 3); }
            ctx.textAlign = 'center';
            ctx.fillText(dates[0], L + 30, H - 6); ctx.fillText(dates[dates.length - 1], W - R - 30, H - 6);
            series.forEach((s, k) => {
              ctx.strokeStyle = s.color || palette[k % palette.length]; ctx.lineWidth = 2; ctx.beginPath();
              s.points.forEach((p, j) => { const x = X(p[0]), y = Y(p[1]); if (j === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y); });
              ctx.stroke();
            });
            el.setAttribute('data-lines', String(series.length));
            el.setAttribute('data-ready', '1');
          }
          const legend = document.getElementById('equity-legend');
          data.top.forEach((t, k) => { const s = document.createElement('span'); const i = document.createElement('i'); i.style.background = palette[k % palette.length]; s.appendChild(i); s.appendChild(document.createTextNode(t.label + ' (' + t.folder + ')')); legend.appendChild(s); });
          drawLines(document.getElementById('equity-chart'), data.top.map(t => ({ points: t.equity })));

          // Walk-forward: one line per window, in-sample vs out-of-sample, then the stitched out-of-sample curve.
          const wf = document.getElementById('wf');
          if (!data.wf) {
            document.getElementById('wf-section').style.display = 'none';
          } else {
            const t = document.createElement('table');
            const head = ['window', 'train', 'test', 'chosen', 'IS return', 'IS sharpe', 'IS trades', 'OOS return', 'OOS sharpe', 'OOS max DD', 'OOS trades'];
            t.innerHTML = '<thead><tr>' + head.map(h => '<th>' + h + '</th>').join('') + '</tr></thead>';
            const body = document.createElement('tbody');
            for (const w of data.wf.windows) {
              const tr = document.createElement('tr');
              const v = (o, k) => o ? fmt(o[k]) : '';
              [w.n, w.train, w.test, w.params || '', v(w.is, 'total_return'), v(w.is, 'sharpe'), w.is ? w.is.trade_count : '', v(w.oos, 'total_return'), v(w.oos, 'sharpe'), v(w.oos, 'max_drawdown'), w.oos ? w.oos.trade_count : '']
                .forEach(x => { const td = document.createElement('td'); td.textContent = String(x); tr.appendChild(td); });
              body.appendChild(tr);
            }
            t.appendChild(body); t.id = 'wf-table'; wf.appendChild(t);
            const p = document.createElement('p'); p.className = 'note';
            p.textContent = 'Stitched out-of-sample: return ' + fmt(data.wf.return) + ', Sharpe ' + fmt(data.wf.sharpe) + '.';
            wf.appendChild(p);
            drawLines(document.getElementById('wf-chart'), [{ points: data.wf.equity, color: '#2962ff' }]);
          }

          // The table of every combination, sortable on any column.
          const table = document.getElementById('sweep-table');
          const headers = ['#'].concat(dims.map(d => d.name), cols, ['error']);
          table.tHead.innerHTML = '<tr>' + headers.map((h, k) => '<th data-col="' + k + '">' + h.replace(/[&<>"]/g, '') + '</th>').join('') + '</tr>';
          const cell = (r, k) => k === 0 ? r.i : k <= dims.length ? r.p[k - 1] : k <= dims.length + cols.length ? r.s[cols[k - dims.length - 1]] : (r.e || '');
          const bestIndex = data.top.length ? data.top[0].i : -1;
          let order = rows.slice(), sortCol = -1, asc = true;
          function fill() {
            const body = table.tBodies[0]; body.textContent = '';
            for (const r of order) {
              const tr = document.createElement('tr'); if (r.i === bestIndex) tr.className = 'best';
              headers.forEach((h, k) => { const td = document.createElement('td'); const v = cell(r, k); td.textContent = typeof v === 'number' && k > dims.length ? fmt(v) : String(v === null ? '' : v); if (k === headers.length - 1) td.className = 'err'; tr.appendChild(td); });
              body.appendChild(tr);
            }
            table.setAttribute('data-rows', String(order.length));
          }
          table.tHead.addEventListener('click', e => {
            const th = e.target.closest('th'); if (!th) return;
            const k = +th.getAttribute('data-col');
            asc = sortCol === k ? !asc : true; sortCol = k;
            const num = v => v === null || v === '' || v === undefined ? null : (isNaN(+v) ? v : +v);
            order = rows.slice().sort((a, b) => {
              const x = num(cell(a, k)), y = num(cell(b, k));
              if (x === y) return a.i - b.i;
              if (x === null) return 1; if (y === null) return -1;
              return (x < y ? -1 : 1) * (asc ? 1 : -1);
            });
            table.querySelectorAll('th').forEach(t => t.className = '');
            th.className = asc ? 'sorted-asc' : 'sorted-desc';
            fill();
          });
          fill();
          document.body.setAttribute('data-sweep-ready', '1');
        })();
        """;
}
