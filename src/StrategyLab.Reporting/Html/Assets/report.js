// Strategy Lab report page: draws the charts and the trade table from the JSON block #report-data.
// Times in the data are exchange-local wall-clock seconds (read as UTC by the chart, so it shows local time).
(function () {
  'use strict';

  var LW = window.LightweightCharts;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var COLORS = {
    bg: '#151a24', text: '#aab0bf', grid: 'rgba(42, 48, 64, 0.55)', border: '#262d3d',
    up: '#26a69a', down: '#ef5350', accent: '#4f7dff', amber: '#f7a600'
  };
  var LEVEL_COLORS = { stop_loss: COLORS.down, take_profit: COLORS.up, other: COLORS.amber };

  function showError(message) {
    var banner = document.createElement('div');
    banner.className = 'error-banner';
    banner.textContent = 'The report could not draw everything: ' + message;
    document.body.insertBefore(banner, document.body.firstChild);
  }

  window.addEventListener('error', function (e) { showError(e.message); });

  function fmt(value, decimals) {
    return Number(value).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }

  function fmtPrice(value) {
    return Number(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 8 });
  }

  function fmtQty(value) {
    return Number(value).toLocaleString('en-US', { maximumFractionDigits: 8 });
  }

  function chartOptions(intraday) {
    return {
      autoSize: true,
      layout: {
        background: { type: 'solid', color: COLORS.bg },
        textColor: COLORS.text,
        fontSize: 11,
        attributionLogo: true,
        panes: { separatorColor: COLORS.border, separatorHoverColor: 'rgba(79, 125, 255, 0.15)', enableResize: true }
      },
      grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
      rightPriceScale: { borderColor: COLORS.border },
      timeScale: { borderColor: COLORS.border, timeVisible: intraday, secondsVisible: false, minBarSpacing: 0.001 },
      crosshair: { mode: LW.CrosshairMode.Normal }
    };
  }

  function equityChart() {
    var el = document.getElementById('equity-chart');
    var points = data.equity.points;
    if (!el || points.length === 0) {
      return;
    }

    var chart = LW.createChart(el, chartOptions(data.equity.intraday));
    var equity = chart.addSeries(LW.AreaSeries, {
      lineColor: COLORS.accent, topColor: 'rgba(79, 125, 255, 0.32)', bottomColor: 'rgba(79, 125, 255, 0.02)',
      lineWidth: 2, priceLineVisible: false,
      priceFormat: { type: 'custom', minMove: 0.01, formatter: function (v) { return fmt(v, 2); } }
    });
    equity.setData(points.map(function (p) { return { time: p[0], value: p[1] }; }));

    var drawdown = chart.addSeries(LW.BaselineSeries, {
      baseValue: { type: 'price', price: 0 },
      topLineColor: 'rgba(0, 0, 0, 0)', topFillColor1: 'rgba(0, 0, 0, 0)', topFillColor2: 'rgba(0, 0, 0, 0)',
      bottomLineColor: COLORS.down, bottomFillColor1: 'rgba(239, 83, 80, 0.05)', bottomFillColor2: 'rgba(239, 83, 80, 0.45)',
      lineWidth: 1, priceLineVisible: false,
      priceFormat: { type: 'custom', minMove: 0.0001, formatter: function (v) { return v.toFixed(2) + ' %'; } }
    }, 1);
    drawdown.setData(points.map(function (p) { return { time: p[0], value: p[2] }; }));
    if (window.StrategyLabAnalytics) {
      window.StrategyLabAnalytics.equityExtras(chart, data);
    }

    var panes = chart.panes();
    if (panes.length > 1) {
      panes[0].setStretchFactor(3);
      panes[1].setStretchFactor(1);
    }

    chart.timeScale().fitContent();
    el.dataset.ready = '1';
  }

  // The strategy's custom series (plots.csv), one line each, in a chart under the price charts.
  var PLOT_COLORS = ['#4f7dff', '#f7a600', '#26a69a', '#ef5350', '#b388ff', '#4dd0e1', '#ff8a65', '#aed581'];

  var OVERLAY_COLORS = ['#f7a600', '#b388ff', '#4dd0e1', '#ff8a65', '#aed581', '#4f7dff', '#f06292', '#fff176'];

  function plotsChart() {
    var el = document.getElementById('plots-chart');
    if (!el || !data.plots) {
      return;
    }

    el.style.height = '280px';
    var chart = LW.createChart(el, chartOptions(data.plots.intraday));
    data.plots.series.forEach(function (s, i) {
      var color = PLOT_COLORS[i % PLOT_COLORS.length];
      var line = chart.addSeries(LW.LineSeries, {
        color: color, lineWidth: 2, priceLineVisible: false, lastValueVisible: true, title: s.name
      });
      line.setData(s.points.map(function (p) { return { time: p[0], value: p[1] }; }));
      var key = document.querySelector('#plots-legend .plot-key[data-index="' + i + '"]');
      if (key) {
        key.style.borderLeft = '12px solid ' + color;
        key.style.paddingLeft = '4px';
        key.style.marginRight = '8px';
      }
    });
    chart.timeScale().fitContent();
    el.dataset.ready = '1';
  }

  function candleChart(el) {
    if (el.dataset.ready) {
      return;
    }

    var index = Number(el.dataset.index);
    var s = data.symbols[index];
    var precision = s.precision;
    var chart = LW.createChart(el, chartOptions(s.intraday));
    // The strategy's own series (plots.csv rows with a pane): over the candles on their scale, or in a pane under
    // them. Added before the candles, so the fill markers stay on top for the hover tooltip (a breakout's fill sits on
    // the range line). A point flagged as the last before a gap paints no connector to the next one (as the levels do).
    var overlays = (s.overlays || []).map(function (o, i) {
      var color = OVERLAY_COLORS[i % OVERLAY_COLORS.length];
      var below = o.pane === 'indicator';
      var line = chart.addSeries(LW.LineSeries, {
        color: color, lineWidth: below ? 1 : 2, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false,
        title: o.name,
        priceFormat: below ? { type: 'price', precision: 2, minMove: 0.01 } : { type: 'price', precision: precision, minMove: Math.pow(10, -precision) }
      }, below ? 1 : 0);
      line.setData(o.points.map(function (p) {
        return p[2] ? { time: p[0], value: p[1], color: 'rgba(0, 0, 0, 0)' } : { time: p[0], value: p[1] };
      }));
      return { name: o.name, pane: o.pane, color: color, series: line };
    });
    var candles = chart.addSeries(LW.CandlestickSeries, {
      upColor: COLORS.up, downColor: COLORS.down, borderVisible: false, wickUpColor: COLORS.up, wickDownColor: COLORS.down,
      priceFormat: { type: 'price', precision: precision, minMove: Math.pow(10, -precision) }
    });
    candles.setData(s.candles.map(function (c) { return { time: c[0], open: c[1], high: c[2], low: c[3], close: c[4] }; }));

    var volume = chart.addSeries(LW.HistogramSeries, {
      priceFormat: { type: 'volume' }, priceScaleId: 'volume', priceLineVisible: false, lastValueVisible: false
    });
    volume.setData(s.candles.map(function (c) {
      return { time: c[0], value: c[5], color: c[4] >= c[1] ? 'rgba(38, 166, 154, 0.35)' : 'rgba(239, 83, 80, 0.35)' };
    }));
    chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.84, bottom: 0 } });

    // Resting orders: each lane is one line series. A point's colour paints the line from it to the next point, so a
    // segment starts with a point in the order's colour and ends with a transparent one (the connector to the next).
    s.levels.forEach(function (lane) {
      var line = chart.addSeries(LW.LineSeries, {
        color: 'rgba(0, 0, 0, 0)', lineWidth: 1, lineStyle: LW.LineStyle.Dashed,
        priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false, pointMarkersVisible: false,
        priceFormat: { type: 'price', precision: precision, minMove: Math.pow(10, -precision) }
      });
      var points = [];
      lane.forEach(function (seg) {
        points.push({ time: seg[0], value: seg[2], color: LEVEL_COLORS[seg[3]] || COLORS.amber });
        points.push({ time: seg[1], value: seg[2], color: 'rgba(0, 0, 0, 0)' });
      });
      line.setData(points);
    });

    var panes = chart.panes();
    if (panes.length > 1) {
      panes[0].setStretchFactor(3);
      panes[1].setStretchFactor(1);
    }

    if (overlays.length > 0) {
      var legend = document.createElement('div');
      legend.className = 'legend-row overlay-legend';
      overlays.forEach(function (o) {
        var key = document.createElement('span');
        key.className = 'plot-key';
        key.textContent = o.name + (o.pane === 'indicator' ? ' (pane)' : '');
        key.style.borderLeft = '12px solid ' + o.color;
        key.style.paddingLeft = '4px';
        key.style.marginRight = '8px';
        legend.appendChild(key);
      });
      el.parentNode.insertBefore(legend, el);
    }

    el.dataset.overlayCount = String(overlays.length);

    // One marker per fill: an up arrow under a buy's price, a down arrow over a sell's, coloured by side.
    var markers = s.fills.map(function (f, i) {
      var buy = f[1] > 0;
      return {
        id: 'f' + i, time: f[0], price: f[2],
        position: buy ? 'atPriceTop' : 'atPriceBottom',
        shape: buy ? 'arrowUp' : 'arrowDown',
        color: buy ? COLORS.up : COLORS.down,
        text: s.labels ? f[5] : ''
      };
    });
    var markerApi = LW.createSeriesMarkers(candles, markers);
    el.dataset.markerCount = String(markerApi.markers().length);
    el.dataset.candleCount = String(s.candles.length);

    var note = document.getElementById('candle-note-' + index);
    if (note) {
      var shown = fmtQty(s.candles.length) + ' candles of ' + s.step;
      note.textContent = (s.bars === 0 ? shown : s.bars === s.candles.length ? fmtQty(s.bars) + ' bars of ' + s.step
        : fmtQty(s.bars) + ' bars shown as ' + shown) + ' · ' + fmtQty(s.fills.length) + ' fills';
    }

    var tooltip = document.createElement('div');
    tooltip.className = 'tooltip';
    el.appendChild(tooltip);
    var ohlc = document.getElementById('ohlc-' + index);
    var last = s.candles.length ? s.candles[s.candles.length - 1] : null;

    function showOhlc(c) {
      if (!ohlc || !c) {
        return;
      }

      // Each price at its own precision (a long run's axis needs the finest one; 480 need not read 480.0000).
      ohlc.textContent = 'O ' + fmtPrice(c.open) + '  H ' + fmtPrice(c.high) + '  L ' + fmtPrice(c.low) + '  C ' + fmtPrice(c.close);
    }

    if (last) {
      showOhlc({ open: last[1], high: last[2], low: last[3], close: last[4] });
    }

    chart.subscribeCrosshairMove(function (param) {
      var bar = param.seriesData ? param.seriesData.get(candles) : null;
      if (bar) {
        showOhlc(bar);
      }

      var id = param.hoveredInfo && param.hoveredInfo.objectId !== undefined ? param.hoveredInfo.objectId : param.hoveredObjectId;
      if (typeof id !== 'string' || id.charAt(0) !== 'f' || !param.point) {
        tooltip.style.display = 'none';
        return;
      }

      var f = s.fills[Number(id.substring(1))];
      if (!f) {
        tooltip.style.display = 'none';
        return;
      }

      tooltip.textContent = '';
      var head = document.createElement('div');
      var side = document.createElement('b');
      side.className = f[1] > 0 ? 'buy' : 'sell';
      side.textContent = f[1] > 0 ? 'BUY' : 'SELL';
      head.appendChild(side);
      head.appendChild(document.createTextNode(' ' + fmtQty(f[3]) + ' ' + s.symbol + ' @ ' + fmtPrice(f[2])));
      tooltip.appendChild(head);
      [['Reason', f[5] || '—'], ['Time', f[6]], ['Fees', fmt(f[4], 2)], ['Order', '#' + f[7]]].forEach(function (row) {
        var line = document.createElement('div');
        line.textContent = row[0] + ': ' + row[1];
        tooltip.appendChild(line);
      });
      tooltip.style.display = 'block';
      var x = Math.min(param.point.x + 14, el.clientWidth - tooltip.offsetWidth - 8);
      var y = Math.max(param.point.y - tooltip.offsetHeight - 12, 4);
      tooltip.style.left = x + 'px';
      tooltip.style.top = y + 'px';
    });

    chart.timeScale().fitContent();

    // For tests and the curious: the chart's API, its candle series and the fills it marks.
    el.reportChart = { chart: chart, candles: candles, fills: s.fills, overlays: overlays };
    el.dataset.ready = '1';
  }

  function candleCharts() {
    var elements = Array.prototype.slice.call(document.querySelectorAll('.candle-chart'));
    if (!('IntersectionObserver' in window)) {
      elements.forEach(candleChart);
      return;
    }

    // A chart is built when it comes near the viewport: a page with many symbols opens fast.
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          candleChart(entry.target);
        }
      });
    }, { rootMargin: '600px 0px' });
    elements.forEach(function (el) { observer.observe(el); });
  }

  // Trade table: sortable by any column (click a header; again to reverse), paged so huge runs stay fast.
  function tradesTable() {
    var table = document.getElementById('trades-table');
    if (!table) {
      return;
    }

    var PAGE = 250;
    var rows = data.trades.map(function (t, i) {
      // Sort keys per column, then the cells as shown.
      return {
        keys: [i + 1, t[0], t[1], t[2], t[4], t[5], t[7], t[8], t[9], t[10], t[11], t[12], t[13], t[14]],
        cells: [String(i + 1), t[0], t[1], fmtQty(t[2]), t[3], fmtPrice(t[5]), t[6], fmtPrice(t[8]), fmt(t[9], 2), fmt(t[10], 2),
          fmt(t[11], 2), (t[12] > 0 ? '+' : '') + fmt(t[12], 2) + ' %', held(t[13]), t[14]],
        side: t[1]
      };
    });
    var order = rows.slice();
    var page = 0;
    var sortCol = 0;
    var ascending = true;
    var body = table.tBodies[0];
    var pager = document.getElementById('trades-pager');

    // The sign of the value as shown (two decimals): -0.004 reads 0.00 and stays uncoloured.
    function tone(value) {
      var shown = Math.round(value * 100);
      return shown > 0 ? 'pos' : shown < 0 ? 'neg' : '';
    }

    function held(seconds) {
      var d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
      if (d > 0) { return d + 'd ' + h + 'h'; }
      if (h > 0) { return h + 'h ' + (m < 10 ? '0' : '') + m + 'm'; }
      return m + 'm ' + (seconds % 60 < 10 ? '0' : '') + (seconds % 60) + 's';
    }

    function render() {
      var fragment = document.createDocumentFragment();
      order.slice(page * PAGE, (page + 1) * PAGE).forEach(function (row) {
        var tr = document.createElement('tr');
        row.cells.forEach(function (text, c) {
          var td = document.createElement('td');
          td.textContent = text;
          if (c === 2) { td.className = row.side === 'short' ? 'side-short' : 'side-long'; }
          if (c === 8 || c === 10 || c === 11) { td.className = tone(row.keys[c]); } // each P&L by its own sign
          tr.appendChild(td);
        });
        fragment.appendChild(tr);
      });
      body.textContent = '';
      body.appendChild(fragment);
      table.dataset.rows = String(body.rows.length);
      renderPager();
    }

    function renderPager() {
      var pages = Math.ceil(order.length / PAGE);
      pager.textContent = '';
      if (pages <= 1) {
        return;
      }

      var prev = document.createElement('button');
      prev.textContent = '‹ Prev';
      prev.disabled = page === 0;
      prev.onclick = function () { page--; render(); };
      var next = document.createElement('button');
      next.textContent = 'Next ›';
      next.disabled = page >= pages - 1;
      next.onclick = function () { page++; render(); };
      var label = document.createElement('span');
      label.textContent = 'Page ' + (page + 1) + ' of ' + pages + ' (' + order.length + ' trades)';
      pager.appendChild(prev);
      pager.appendChild(label);
      pager.appendChild(next);
    }

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.addEventListener('click', function () {
        var col = Number(th.dataset.col);
        ascending = col === sortCol ? !ascending : true;
        sortCol = col;
        var numeric = th.dataset.type === 'num';
        order = rows.slice().sort(function (a, b) {
          var x = a.keys[col], y = b.keys[col];
          var cmp = numeric ? x - y : String(x).localeCompare(String(y));
          return (ascending ? cmp : -cmp) || a.keys[0] - b.keys[0];
        });
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.classList.remove('asc', 'desc'); });
        th.classList.add(ascending ? 'asc' : 'desc');
        page = 0;
        render();
      });
    });

    render();
  }

  try {
    equityChart();
    candleCharts();
    plotsChart();
    tradesTable();
    document.body.dataset.reportReady = '1';
  } catch (e) {
    showError(e && e.message ? e.message : String(e));
    throw e;
  }
}());
