// Strategy Lab compare page: the runs' equity curves overlaid (normalised to 100 at the start, or absolute) and their
// drawdowns, from the JSON block #compare-data. Times are each run's exchange-local wall-clock seconds.
(function () {
  'use strict';

  var LW = window.LightweightCharts;
  var data = JSON.parse(document.getElementById('compare-data').textContent);
  var COLORS = { bg: '#151a24', text: '#aab0bf', grid: 'rgba(42, 48, 64, 0.55)', border: '#262d3d' };

  window.addEventListener('error', function (e) {
    var banner = document.createElement('div');
    banner.className = 'error-banner';
    banner.textContent = 'The page could not draw everything: ' + e.message;
    document.body.insertBefore(banner, document.body.firstChild);
  });

  var el = document.getElementById('compare-chart');
  var intraday = data.runs.some(function (r) { return r.intraday; });
  var chart = LW.createChart(el, {
    autoSize: true,
    layout: {
      background: { type: 'solid', color: COLORS.bg }, textColor: COLORS.text, fontSize: 11, attributionLogo: true,
      panes: { separatorColor: COLORS.border, enableResize: true }
    },
    grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
    rightPriceScale: { borderColor: COLORS.border },
    timeScale: { borderColor: COLORS.border, timeVisible: intraday, secondsVisible: false, minBarSpacing: 0.001 },
    crosshair: { mode: LW.CrosshairMode.Normal }
  });

  function values(run, normalised) {
    return run.points.map(function (p) {
      return { time: p[0], value: normalised ? (run.start > 0 ? p[1] / run.start * 100 : 0) : p[1] };
    });
  }

  var lines = data.runs.map(function (run) {
    var line = chart.addSeries(LW.LineSeries, {
      color: run.color, lineWidth: 2, priceLineVisible: false, title: '',
      priceFormat: { type: 'price', precision: 2, minMove: 0.01 }
    });
    line.setData(values(run, true));
    var drawdown = chart.addSeries(LW.LineSeries, {
      color: run.color, lineWidth: 1, priceLineVisible: false, lastValueVisible: false,
      priceFormat: { type: 'custom', minMove: 0.0001, formatter: function (v) { return v.toFixed(2) + ' %'; } }
    }, 1);
    drawdown.setData(run.points.map(function (p) { return { time: p[0], value: p[2] }; }));
    return line;
  });

  var panes = chart.panes();
  if (panes.length > 1) {
    panes[0].setStretchFactor(3);
    panes[1].setStretchFactor(1);
  }

  chart.timeScale().fitContent();

  var buttons = Array.prototype.slice.call(document.querySelectorAll('#scale-toggle button'));
  buttons.forEach(function (button) {
    button.addEventListener('click', function () {
      var normalised = button.dataset.scale === 'normalised';
      buttons.forEach(function (b) { b.classList.toggle('on', b === button); });
      lines.forEach(function (line, i) { line.setData(values(data.runs[i], normalised)); });
      el.dataset.scale = button.dataset.scale;
    });
  });

  el.dataset.scale = 'normalised';
  el.dataset.ready = '1';
  el.dataset.lines = String(lines.length);
  document.body.dataset.reportReady = '1';
}());
