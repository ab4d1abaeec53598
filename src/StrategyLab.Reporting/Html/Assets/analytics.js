// Strategy Lab report page, analytics: the benchmark line and the rolling Sharpe pane of the equity chart (from
// daily.csv), and the MAE/MFE scatter of the trades. Runs before report.js, which calls equityExtras while it builds
// the equity chart.
(function () {
  'use strict';

  var LW = window.LightweightCharts;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var AMBER = '#f7a600', VIOLET = '#b388ff', MUTED = '#8a90a0', GRID = 'rgba(42, 48, 64, 0.9)';

  function fmt(value, decimals) {
    return Number(value).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }

  // The daily points with a value in column i, as line data.
  function line(daily, i) {
    return daily.filter(function (d) { return d[i] !== null; }).map(function (d) { return { time: d[0], value: d[i] }; });
  }

  function equityExtras(chart, pageData) {
    var daily = pageData.daily || [];
    var benchmark = line(daily, 1);
    var sharpe = line(daily, 2);
    var el = document.getElementById('equity-chart');
    if (benchmark.length > 0) {
      var bm = chart.addSeries(LW.LineSeries, {
        color: AMBER, lineWidth: 1, priceLineVisible: false, lastValueVisible: false,
        priceFormat: { type: 'custom', minMove: 0.01, formatter: function (v) { return fmt(v, 2); } }
      }, 0);
      bm.setData(benchmark);
      el.dataset.benchmarkPoints = String(benchmark.length);
    }

    if (sharpe.length > 0) {
      var rs = chart.addSeries(LW.LineSeries, {
        color: VIOLET, lineWidth: 1, priceLineVisible: false,
        priceFormat: { type: 'custom', minMove: 0.01, formatter: function (v) { return v.toFixed(2); } }
      }, 2);
      rs.setData(sharpe);
      rs.createPriceLine({ price: 0, color: MUTED, lineWidth: 1, lineStyle: LW.LineStyle.Dotted, axisLabelVisible: false });
      var panes = chart.panes();
      if (panes.length > 2) {
        panes[2].setStretchFactor(1);
      }

      el.dataset.rollingSharpePoints = String(sharpe.length);
    }
  }

  window.StrategyLabAnalytics = { equityExtras: equityExtras };

  // MAE (x, ≤ 0) against MFE (y, ≥ 0), one dot per trade: green for a winner, red for a loser (net of fees).
  function scatter() {
    var canvas = document.getElementById('excursion-scatter');
    var points = data.excursions || [];
    if (!canvas || points.length === 0) {
      return;
    }

    var ratio = window.devicePixelRatio || 1;
    var width = canvas.width, height = canvas.height;
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    var g = canvas.getContext('2d');
    g.scale(ratio, ratio);
    var left = 64, right = 12, top = 12, bottom = 36;
    var minX = 0, maxY = 0;
    points.forEach(function (p) { minX = Math.min(minX, p[0]); maxY = Math.max(maxY, p[1]); });
    minX = minX === 0 ? -1 : minX * 1.05;
    maxY = maxY === 0 ? 1 : maxY * 1.05;
    function x(v) { return left + (v - minX) / (0 - minX) * (width - left - right); }
    function y(v) { return height - bottom - v / maxY * (height - top - bottom); }

    g.strokeStyle = GRID;
    g.fillStyle = MUTED;
    g.font = '11px system-ui, sans-serif';
    g.lineWidth = 1;
    for (var i = 0; i <= 4; i++) {
      var gx = x(minX + (0 - minX) * i / 4), gy = y(maxY * i / 4);
      g.beginPath(); g.moveTo(gx, top); g.lineTo(gx, height - bottom); g.stroke();
      g.beginPath(); g.moveTo(left, gy); g.lineTo(width - right, gy); g.stroke();
      g.textAlign = 'center'; g.fillText(fmt(minX + (0 - minX) * i / 4, 0), gx, height - bottom + 14);
      g.textAlign = 'right'; g.fillText(fmt(maxY * i / 4, 0), left - 6, gy + 4);
    }

    g.textAlign = 'center';
    g.fillText('MAE (worst open P&L)', left + (width - left - right) / 2, height - 4);
    g.save();
    g.translate(12, top + (height - top - bottom) / 2);
    g.rotate(-Math.PI / 2);
    g.fillText('MFE (best open P&L)', 0, 0);
    g.restore();

    points.forEach(function (p) {
      g.fillStyle = p[2] > 0 ? 'rgba(38, 166, 154, 0.75)' : 'rgba(239, 83, 80, 0.75)';
      g.beginPath();
      g.arc(x(p[0]), y(p[1]), 3, 0, 2 * Math.PI);
      g.fill();
    });

    canvas.dataset.points = String(points.length);
    canvas.dataset.ready = '1';
  }

  scatter();
}());
