// The dashboard: charts (Observable Plot, SVG) over GET /api/stats and
// GET /api/diversions/summary. The page's query string is the state: the filter form
// is a plain GET form; with JS, a change rewrites the URL (history.replaceState) and
// redraws. Each filter becomes `where=field=value` in the stats calls.
//
// Every chart has a data table under it (for screen readers and for print), and its
// own loading and error state.
(function () {
  "use strict";

  var A = window.Armtrace;
  var esc = A.escapeHtml;
  var root = document.getElementById("dashboard");
  var form = document.getElementById("dashboard-filters");
  if (!root || !form) return;
  var signedIn = root.getAttribute("data-signed-in") === "true";

  // Page parameters that become `where=field=value`.
  var WHERE_FIELDS = ["category", "country_of_manufacture", "recovered_country", "recovered_from",
    "recovered_from_date", "recovered_to_date"];
  // Page parameters the map understands (for "Show on map").
  var MAP_FIELDS = ["category", "country_of_manufacture", "recovered_country", "recovered_from_date", "recovered_to_date"];

  // value, label, colour, short label (table columns)
  var CATEGORIES = [
    ["weapon", "Weapon", "#1d4f8c", "Weapon"],
    ["ammunition", "Ammunition", "#c27c0e", "Ammo"],
    ["ied_component", "IED component", "#a8201a", "IED"],
    ["chemical_precursor", "Chemical precursor", "#6d28d9", "Precursor"],
    ["other", "Other", "#7b8794", "Other"],
  ];
  var CATEGORY_LABEL = {};
  CATEGORIES.forEach(function (c) { CATEGORY_LABEL[c[0]] = c[1]; });
  var BAR = "#1d4f8c";
  var BAR_MUTED = "#a3adb8";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  var state = { params: null, data: {} };

  // ---------- parameters ----------
  function pageParams() {
    return A.formParams(form);
  }

  function statsUrl(by, params) {
    var q = new URLSearchParams();
    by.forEach(function (f) { q.append("by", f); });
    WHERE_FIELDS.forEach(function (f) {
      var v = params.get(f);
      if (v) q.append("where", f + "=" + v);
    });
    if (params.get("weight") === "quantity") q.set("weight", "quantity");
    return "/api/stats?" + q.toString();
  }

  function unit(n) {
    var weighted = state.params && state.params.get("weight") === "quantity";
    if (weighted) return n === 1 ? "unit" : "units";
    return n === 1 ? "item" : "items";
  }

  // A link to this dashboard with one more filter.
  function filterHref(field, value) {
    var p = new URLSearchParams(state.params);
    p.set(field, value);
    return "/dashboard?" + p.toString();
  }

  // ---------- card plumbing ----------
  function card(id) {
    var el = document.getElementById("card-" + id);
    return {
      el: el,
      chart: el.querySelector('[data-role="chart"]'),
      note: el.querySelector('[data-role="note"]'),
      table: el.querySelector('[data-role="table"]'),
      subtitle: el.querySelector('[data-role="subtitle"]'),
    };
  }

  function setState(c, kind, message) {
    c.chart.innerHTML = '<div class="chart-state ' + kind + '"' + (kind === "error" ? ' role="alert"' : "") + "><span>" + message + "</span></div>";
    if (kind !== "empty") {
      c.table.hidden = true;
      c.note.hidden = true;
    }
  }

  function setNote(c, html) {
    c.note.innerHTML = html || "";
    c.note.hidden = !html;
  }

  function setTable(c, html) {
    c.table.querySelector(".table-wrap").innerHTML = html;
    c.table.hidden = !html;
  }

  function chartWidth(c) {
    return Math.max(280, Math.floor(c.chart.clientWidth || c.el.clientWidth - 40));
  }

  function show(c, svg, label) {
    c.chart.innerHTML = "";
    if (label) {
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", label);
    }
    c.chart.appendChild(svg);
  }

  var PLOT_STYLE = { fontFamily: "inherit", fontSize: "12px", color: "#1a2230", background: "transparent", overflow: "visible" };

  // ---------- charts ----------

  // Horizontal share bars: top `n` keys, the rest as one "Other" bar.
  function shareBars(c, data, field, opts) {
    var groups = data.groups || [];
    if (!groups.length) {
      setState(c, "empty", "No items match these filters.");
      setTable(c, "");
      return;
    }
    var rows = groups.map(function (g) {
      var key = g.key[field];
      return { key: key, label: opts.label(key), count: g.count, share: g.share, muted: key == null };
    });
    var top = rows.slice(0, opts.top);
    var rest = rows.slice(opts.top);
    if (rest.length) {
      top.push({
        key: undefined,
        label: "Other (" + rest.length + ")",
        count: rest.reduce(function (s, r) { return s + r.count; }, 0),
        share: rest.reduce(function (s, r) { return s + r.share; }, 0),
        muted: true,
      });
    }
    var width = chartWidth(c);
    var longest = d3.max(top, function (r) { return r.label.length; }) || 10;
    var marginLeft = Math.min(220, Math.max(80, longest * 6.6 + 10));
    var svg = Plot.plot({
      width: width,
      height: top.length * 24 + 40,
      marginLeft: marginLeft,
      marginRight: 52,
      style: PLOT_STYLE,
      x: { label: null, percent: true, grid: true, tickFormat: function (d) { return d + "%"; } },
      y: { label: null, domain: top.map(function (r) { return r.label; }), tickSize: 0 },
      marks: [
        Plot.barX(top, { x: "share", y: "label", fill: function (r) { return r.muted ? BAR_MUTED : BAR; }, insetTop: 3, insetBottom: 3 }),
        Plot.text(top, { x: "share", y: "label", text: function (r) { return A.fmtPercent(r.share); }, textAnchor: "start", dx: 4, fill: "#3a4350" }),
        Plot.ruleX([0], { stroke: "#8b96a3" }),
        Plot.tip(top, Plot.pointerY({ x: "share", y: "label", title: function (r) { return r.label + "\n" + A.fmtNumber(r.count) + " " + unit(r.count) + " · " + A.fmtPercent(r.share); } })),
      ],
    });
    show(c, svg, opts.title + ": " + top.slice(0, 3).map(function (r) { return r.label + " " + A.fmtPercent(r.share); }).join(", "));

    var html = '<table class="table table-compact"><thead><tr><th scope="col">' + esc(opts.column) +
      '</th><th scope="col" class="num">' + (unit(2) === "units" ? "Units" : "Items") + '</th><th scope="col" class="num">Share</th></tr></thead><tbody>';
    rows.forEach(function (r) {
      var label = esc(r.label);
      if (r.key != null && opts.filter && !state.params.get(opts.filter)) {
        label = '<a href="' + esc(filterHref(opts.filter, r.key)) + '" title="Filter the dashboard to ' + esc(r.label) + '">' + label + "</a>";
      }
      html += "<tr><td>" + label + '</td><td class="num">' + A.fmtNumber(r.count) + '</td><td class="num">' + A.fmtPercent(r.share) + "</td></tr>";
    });
    html += '</tbody><tfoot><tr><td>Total</td><td class="num">' + A.fmtNumber(data.total) + '</td><td class="num">100%</td></tr></tfoot></table>';
    setTable(c, html);
    setNote(c, rest.length ? A.fmtNumber(rest.length) + " more in “Other”; all of them are in the data table." : "");
  }

  // "1980s" | 1980 | "1980" -> { label: "1980s", order: 1980 }; null -> unknown.
  function decadeOf(value) {
    if (value == null || value === "") return { label: "Unknown", order: Infinity };
    var m = String(value).match(/^(\d{3,4})/);
    if (!m) return { label: String(value), order: Infinity - 1 };
    var y = Math.floor(+m[1] / 10) * 10;
    return { label: y + "s", order: y };
  }

  function decadeChart(c, data) {
    var groups = data.groups || [];
    if (!groups.length) {
      setState(c, "empty", "No items match these filters.");
      setTable(c, "");
      return;
    }
    var rows = groups.map(function (g) {
      var d = decadeOf(g.key.decade);
      return { decade: d.label, order: d.order, category: g.key.category || "other", count: g.count };
    });
    var order = {};
    rows.forEach(function (r) { order[r.decade] = r.order; });
    var decades = Object.keys(order).sort(function (a, b) { return order[a] - order[b]; });
    var known = rows.filter(function (r) { return r.order !== Infinity; });
    var unknown = rows.filter(function (r) { return r.order === Infinity; }).reduce(function (s, r) { return s + r.count; }, 0);
    var cats = CATEGORIES.filter(function (cat) { return rows.some(function (r) { return r.category === cat[0]; }); });

    var svg = Plot.plot({
      width: chartWidth(c),
      height: 300,
      marginLeft: 52,
      style: PLOT_STYLE,
      x: { label: null, domain: decades.filter(function (d) { return order[d] !== Infinity; }), tickSize: 0 },
      y: { label: "↑ " + unit(2)[0].toUpperCase() + unit(2).slice(1), grid: true, tickFormat: "s" },
      color: {
        legend: true,
        domain: cats.map(function (cat) { return cat[0]; }),
        range: cats.map(function (cat) { return cat[2]; }),
        tickFormat: function (k) { return CATEGORY_LABEL[k] || k; },
      },
      marks: [
        Plot.barY(known, { x: "decade", y: "count", fill: "category", order: cats.map(function (cat) { return cat[0]; }), inset: 0.5, tip: { format: { fill: function (k) { return CATEGORY_LABEL[k] || k; }, x: true, y: true } } }),
        Plot.ruleY([0], { stroke: "#8b96a3" }),
      ],
    });
    show(c, svg, "Items by decade of manufacture, stacked by category");
    setNote(c, unknown ? A.fmtNumber(unknown) + " " + unit(unknown) + " with no known year of manufacture are not drawn." : "");

    // decade × category table
    var cell = {};
    rows.forEach(function (r) { cell[r.decade + "|" + r.category] = (cell[r.decade + "|" + r.category] || 0) + r.count; });
    var html = '<table class="table table-compact"><thead><tr><th scope="col">Decade</th>' +
      cats.map(function (cat) { return '<th scope="col" class="num" title="' + esc(cat[1]) + '">' + esc(cat[3]) + "</th>"; }).join("") +
      '<th scope="col" class="num">Total</th></tr></thead><tbody>';
    decades.forEach(function (d) {
      var total = 0;
      html += '<tr><th scope="row">' + esc(d) + "</th>" + cats.map(function (cat) {
        var n = cell[d + "|" + cat[0]] || 0;
        total += n;
        return '<td class="num">' + (n ? A.fmtNumber(n) : '<span class="muted">–</span>') + "</td>";
      }).join("") + '<td class="num">' + A.fmtNumber(total) + "</td></tr>";
    });
    html += "</tbody></table>";
    setTable(c, html);
  }

  function monthsChart(c, data) {
    var groups = data.groups || [];
    var byMonth = {};
    var unknown = 0;
    groups.forEach(function (g) {
      var k = g.key.recovered_month;
      if (typeof k === "string" && /^\d{4}-\d{2}$/.test(k)) byMonth[k] = (byMonth[k] || 0) + g.count;
      else unknown += g.count;
    });
    var keys = Object.keys(byMonth).sort();
    if (!keys.length) {
      setState(c, "empty", unknown ? "None of these items has a month of recovery." : "No items match these filters.");
      setTable(c, "");
      setNote(c, "");
      return;
    }
    // every month from the first to the last, zeros included, so the line does not lie
    var series = [];
    var y = +keys[0].slice(0, 4), m = +keys[0].slice(5, 7);
    var last = keys[keys.length - 1];
    for (;;) {
      var key = y + "-" + (m < 10 ? "0" : "") + m;
      series.push({ key: key, date: new Date(Date.UTC(y, m - 1, 1)), count: byMonth[key] || 0 });
      if (key >= last) break;
      m++;
      if (m > 12) { m = 1; y++; }
    }
    var svg = Plot.plot({
      width: chartWidth(c),
      height: 240,
      marginLeft: 48,
      style: PLOT_STYLE,
      x: { label: null, type: "utc" },
      y: { label: "↑ " + unit(2)[0].toUpperCase() + unit(2).slice(1) + " per month", grid: true, tickFormat: "s" },
      marks: [
        Plot.areaY(series, { x: "date", y: "count", curve: "step", fill: BAR, fillOpacity: 0.14 }),
        Plot.lineY(series, { x: "date", y: "count", curve: "step", stroke: BAR, strokeWidth: 1.5 }),
        Plot.ruleY([0], { stroke: "#8b96a3" }),
        Plot.tip(series, Plot.pointerX({ x: "date", y: "count", title: function (d) { return monthLabel(d.key) + "\n" + A.fmtNumber(d.count) + " " + unit(d.count); } })),
      ],
    });
    show(c, svg, "Recoveries per month from " + monthLabel(keys[0]) + " to " + monthLabel(last));
    setNote(c, unknown ? A.fmtNumber(unknown) + " " + unit(unknown) + " with an unknown date, or only a year, are not drawn." : "");

    // year × month table
    var years = {};
    series.forEach(function (s) {
      var yy = s.key.slice(0, 4);
      (years[yy] = years[yy] || {})[+s.key.slice(5, 7)] = s.count;
    });
    var html = '<table class="table table-compact"><thead><tr><th scope="col">Year</th>' +
      MONTHS.map(function (mm) { return '<th scope="col" class="num">' + mm + "</th>"; }).join("") +
      '<th scope="col" class="num">Total</th></tr></thead><tbody>';
    Object.keys(years).sort().forEach(function (yy) {
      var total = 0;
      html += '<tr><th scope="row">' + yy + "</th>";
      for (var i = 1; i <= 12; i++) {
        var n = years[yy][i];
        if (n) total += n;
        html += '<td class="num">' + (n == null ? "" : n ? A.fmtNumber(n) : '<span class="muted">0</span>') + "</td>";
      }
      html += '<td class="num">' + A.fmtNumber(total) + "</td></tr>";
    });
    html += "</tbody>" + (unknown ? '<tfoot><tr><td colspan="13">Unknown or year only</td><td class="num">' + A.fmtNumber(unknown) + "</td></tr></tfoot>" : "") + "</table>";
    setTable(c, html);
  }

  function monthLabel(key) {
    return MONTHS[+key.slice(5, 7) - 1] + " " + key.slice(0, 4);
  }

  function diversionChart(c, summary) {
    var median = document.getElementById("stat-median");
    // /api/diversions/summary: {overall: {count, min, q1, median, q3, max} | null,
    // histogram: [{from, to (null = open), label, count}], by_end_user, by_recovered_from}.
    var data = summary && summary.overall;
    if (!data || !data.count) {
      median.textContent = "—";
      setState(c, "empty", signedIn
        ? "No item you may see has a documented delivery before its recovery, so no time to diversion can be measured. Import the transfers (licences, deliveries, trace responses) that cover these items."
        : "Time to diversion is measured against transfer records, which are not public. <a href=\"/login\">Sign in</a> to see it.");
      setTable(c, "");
      setNote(c, "");
      return;
    }
    median.textContent = A.fmtNumber(data.median);
    var hist = (summary.histogram || []).map(function (b) {
      return { from: b.from, to: b.to == null ? Math.max(b.from * 1.5, data.max + 1) : b.to, open: b.to == null, label: b.label, count: b.count };
    });
    var svg = Plot.plot({
      width: chartWidth(c),
      height: 270,
      marginLeft: 44,
      marginBottom: 44,
      style: PLOT_STYLE,
      x: { label: "Days from delivery to recovery →", labelOffset: 40, grid: false },
      y: { label: "↑ Diversions", grid: true, tickFormat: "d" },
      marks: [
        Plot.rectY(hist, { x1: "from", x2: "to", y: "count", fill: "#b45309", fillOpacity: 0.85, inset: 0.5 }),
        Plot.ruleX([data.median], { stroke: "#1a2230", strokeDasharray: "4 3" }),
        Plot.text([data.median], { x: function (d) { return d; }, frameAnchor: "top", dy: -2, dx: 4, textAnchor: "start", text: function (d) { return "median " + A.fmtNumber(d) + " days"; }, fill: "#1a2230", stroke: "white", strokeWidth: 3, paintOrder: "stroke" }),
        Plot.ruleY([0], { stroke: "#8b96a3" }),
        Plot.tip(hist, Plot.pointerX({ x1: "from", x2: "to", y: "count", title: function (b) { return A.fmtNumber(b.from) + "–" + A.fmtNumber(b.to) + " days\n" + A.fmtNumber(b.count) + " diversion" + (b.count === 1 ? "" : "s"); } })),
      ],
    });
    show(c, svg, "Histogram of days from delivery to recovery; median " + data.median + " days");
    setNote(c, A.fmtNumber(data.count) + " diversion" + (data.count === 1 ? "" : "s") + ": fastest " + A.fmtNumber(data.min) +
      " days, quartiles " + A.fmtNumber(data.q1) + " / " + A.fmtNumber(data.median) + " / " + A.fmtNumber(data.q3) +
      ", slowest " + A.fmtNumber(data.max) + " days. All items you may see; the filters above do not apply.");
    var html = '<table class="table table-compact"><thead><tr><th scope="col" class="num">From (days)</th><th scope="col" class="num">To (days)</th><th scope="col" class="num">Diversions</th></tr></thead><tbody>' +
      hist.map(function (b) {
        return '<tr><td class="num">' + A.fmtNumber(b.from) + '</td><td class="num">' + (b.open ? "…" : A.fmtNumber(b.to)) + '</td><td class="num">' + A.fmtNumber(b.count) + "</td></tr>";
      }).join("") + "</tbody></table>";
    setTable(c, html);
  }

  // ---------- loading ----------
  var CHARTS = [
    { id: "com", by: ["country_of_manufacture"], draw: function (c, d) {
      shareBars(c, d, "country_of_manufacture", { top: 15, label: A.countryLabel, column: "Country of manufacture", filter: "country_of_manufacture", title: "Share by country of manufacture" });
      var known = (d.groups || []).filter(function (g) { return g.key.country_of_manufacture != null; }).length;
      document.getElementById("stat-countries").textContent = A.fmtNumber(known);
      document.getElementById("stat-total").textContent = A.fmtNumber(d.total);
      document.getElementById("stat-total-label").textContent = unit(d.total) + (state.params.toString() && !(state.params.toString() === "weight=quantity") ? " match the filters" : " in the register");
    } },
    { id: "holder", by: ["recovered_from"], draw: function (c, d) {
      shareBars(c, d, "recovered_from", { top: 10, label: function (k) { return k == null || k === "" ? "Not recorded" : String(k); }, column: "Recovered from", filter: "recovered_from", title: "Share by holder at recovery" });
      var list = document.getElementById("holder-list");
      if (list && !list.options.length) {
        (d.groups || []).forEach(function (g) {
          if (g.key.recovered_from) {
            var o = document.createElement("option");
            o.value = g.key.recovered_from;
            list.appendChild(o);
          }
        });
      }
    } },
    { id: "months", by: ["recovered_month"], draw: monthsChart },
    { id: "decades", by: ["category", "decade"], draw: decadeChart },
    { id: "diversion", url: function () { return "/api/diversions/summary"; }, draw: diversionChart },
  ];

  var generation = 0;

  function load() {
    var gen = ++generation;
    state.params = pageParams();
    var u = unit(2);
    card("com").subtitle.textContent = "share of " + u + ", top 15";
    card("holder").subtitle.textContent = "share of " + u + ", by holder at recovery";
    card("months").subtitle.textContent = u + " per month of recovery";
    card("decades").subtitle.textContent = u + " per decade, by category";
    var summary = [];
    form.querySelectorAll("input, select").forEach(function (el) {
      var v = state.params.get(el.name);
      if (!el.name || !v || (el.type === "checkbox" && !el.checked)) return;
      var label = form.querySelector('label[for="' + el.id + '"]');
      if (el.type === "checkbox") summary.push("counting quantities");
      else summary.push((label ? label.textContent : el.name) + ": " + (el.tagName === "SELECT" ? el.options[el.selectedIndex].text : v));
    });
    document.getElementById("filter-summary").textContent = "Filters: " + (summary.length ? summary.join("; ") : "none") +
      ". Printed " + new Date().toISOString().slice(0, 10) + " from " + location.href;
    if (!signedIn) document.getElementById("stat-median-label").textContent = "median days from delivery to recovery (signed-in users)";
    document.getElementById("stat-total").textContent = "…";
    var mapParams = new URLSearchParams();
    MAP_FIELDS.forEach(function (f) { if (state.params.get(f)) mapParams.set(f, state.params.get(f)); });
    document.getElementById("show-on-map").href = "/map" + (mapParams.toString() ? "?" + mapParams : "");

    CHARTS.forEach(function (spec) {
      var c = card(spec.id);
      c.el.setAttribute("aria-busy", "true");
      setState(c, "loading", "Loading…");
      var url = spec.url ? spec.url() : statsUrl(spec.by, state.params);
      A.fetchJson(url).then(function (data) {
        if (gen !== generation) return;
        state.data[spec.id] = data;
        spec.draw(c, data);
      }).catch(function (err) {
        if (gen !== generation) return;
        state.data[spec.id] = null;
        setState(c, "error", "This chart could not be loaded: " + esc(err.message) + ".");
        if (spec.id === "com") document.getElementById("stat-total").textContent = "—";
      }).then(function () {
        if (gen === generation) c.el.removeAttribute("aria-busy");
      });
    });
  }

  // Redraw from the data we have (after a resize).
  function redraw() {
    CHARTS.forEach(function (spec) {
      var data = state.data[spec.id];
      if (data) spec.draw(card(spec.id), data);
    });
  }

  function apply() {
    var params = pageParams();
    var qs = params.toString();
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : ""));
    load();
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!form.reportValidity || form.reportValidity()) apply();
  });
  form.addEventListener("change", function (e) {
    if (e.target.checkValidity && !e.target.checkValidity()) return;
    apply();
  });

  var resizeTimer = null;
  var lastWidth = root.clientWidth;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (root.clientWidth !== lastWidth) {
        lastWidth = root.clientWidth;
        redraw();
      }
    }, 200);
  });

  load();
})();
