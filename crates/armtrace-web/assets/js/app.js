// armtrace: small helpers shared by every page. No framework, no build step.
//
// - Armtrace.* : escaping, number and country formatting, query-string helpers,
//   fetchJson (with errors that say what went wrong), used by map.js and dashboard.js.
// - forms with data-confirm="…" ask before they submit.
// - GET filter forms (form.filters, or any form with data-clean) drop empty fields on
//   submit, so the URL holds only the filters in use and stays shareable.
// - <datalist id="country-list"> is filled with the ISO country codes and names.
// - <details> open before printing, so data tables print.
// - watchImport(id, el) follows an import's progress over server-sent events; elements
//   with data-import-id="…" are watched automatically.
(function () {
  "use strict";

  var countries = window.ArmtraceCountries || { names: {}, numeric: {}, byFeatureName: {} };

  function escapeHtml(value) {
    return String(value == null ? "" : value)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  var numberFormat = new Intl.NumberFormat("en-GB");
  function fmtNumber(n) {
    return n == null || isNaN(n) ? "—" : numberFormat.format(n);
  }
  function fmtPercent(share) {
    if (share == null || isNaN(share)) return "—";
    var p = share * 100;
    return (p > 0 && p < 0.1 ? "<0.1" : p.toFixed(p < 10 ? 1 : 0)) + "%";
  }

  // "SY" -> "Syria"; unknown codes are shown as given.
  function countryName(code) {
    if (code == null || code === "") return "Unknown";
    return countries.names[code] || code;
  }
  // "SY" -> "Syria (SY)"
  function countryLabel(code) {
    if (code == null || code === "") return "Unknown";
    var name = countries.names[code];
    return name ? name + " (" + code + ")" : code;
  }
  // A world-atlas feature -> alpha-2 code, or null. Natural Earth leaves a few features
  // without an ISO id (Kosovo, N. Cyprus, Somaliland, …): those are matched by name.
  function featureCountry(feature) {
    var id = feature.id != null ? String(feature.id).padStart(3, "0") : null;
    if (id && countries.numeric[id]) return countries.numeric[id];
    var name = feature.properties && feature.properties.name;
    return (name && countries.byFeatureName[name]) || null;
  }

  // URLSearchParams without empty values and without the given keys.
  function cleanParams(search, drop) {
    var input = new URLSearchParams(search);
    var out = new URLSearchParams();
    input.forEach(function (value, key) {
      if (value.trim() === "" || (drop && drop.indexOf(key) >= 0)) return;
      out.append(key, value.trim());
    });
    return out;
  }

  // The GET form's fields as URLSearchParams (empty ones left out).
  function formParams(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string" && value.trim() !== "") params.append(key, value.trim());
    });
    return params;
  }

  // fetch + JSON with an error message fit to show a user.
  function fetchJson(url, options) {
    return fetch(url, Object.assign({ headers: { Accept: "application/json" }, credentials: "same-origin" }, options))
      .then(function (response) {
        return response.text().then(function (text) {
          var body = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch (e) {
            body = null;
          }
          if (!response.ok) {
            var detail = body && (body.error || body.message);
            var err = new Error(detail ? detail : "the server answered " + response.status + " " + response.statusText);
            err.status = response.status;
            err.body = body;
            throw err;
          }
          if (body === null) throw new Error("the server's answer was not JSON");
          return body;
        });
      }, function () {
        throw new Error("the server could not be reached");
      });
  }

  window.Armtrace = {
    escapeHtml: escapeHtml,
    fmtNumber: fmtNumber,
    fmtPercent: fmtPercent,
    countryName: countryName,
    countryLabel: countryLabel,
    featureCountry: featureCountry,
    cleanParams: cleanParams,
    formParams: formParams,
    fetchJson: fetchJson,
  };

  // ---- confirm before destructive submits ----
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // Clean GET filter forms: leave empty fields out of the URL.
    if ((form.method || "").toLowerCase() === "get" && (form.classList.contains("filters") || form.hasAttribute("data-clean"))) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && !el.disabled && typeof el.value === "string" && el.value.trim() === "" && el.type !== "submit") {
          el.disabled = true;
          // Re-enable after the navigation starts, in case the page is kept (bfcache).
          setTimeout(function () { el.disabled = false; }, 0);
        }
      });
    }
  }, true);

  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("a[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
  });

  // ---- country datalist ----
  function fillCountryList() {
    var list = document.getElementById("country-list");
    if (!list || list.options.length) return;
    var frag = document.createDocumentFragment();
    Object.keys(countries.names).sort(function (a, b) {
      return countries.names[a].localeCompare(countries.names[b]);
    }).forEach(function (code) {
      var option = document.createElement("option");
      option.value = code;
      option.label = countries.names[code];
      frag.appendChild(option);
    });
    list.appendChild(frag);
  }

  // ---- print: open collapsed data tables ----
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) {
      if (!d.open) {
        d.open = true;
        d.setAttribute("data-print-opened", "");
      }
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-print-opened]").forEach(function (d) {
      d.open = false;
      d.removeAttribute("data-print-opened");
    });
  });

  // ---- import progress ----
  //
  // GET /api/imports/<id>/events sends JSON messages:
  //   {"state":"running|done|failed","rows":N,"total":N|null,"report":{…}|null,"error":"…"|null}
  // `el` receives a progress bar, a label and, at the end, the report or the error.
  // It fires "import:done" or "import:failed" (detail = the last message) on `el`.
  function watchImport(id, el) {
    el.innerHTML =
      '<div class="progress indeterminate" role="progressbar" aria-label="Import progress" aria-valuemin="0" aria-valuemax="100"><span class="bar"></span></div>' +
      '<div class="progress-label"><span class="state">Waiting for the import to start…</span><span class="rows"></span></div>' +
      '<div class="import-result" aria-live="polite"></div>';
    var bar = el.querySelector(".progress");
    var fill = bar.querySelector(".bar");
    var stateEl = el.querySelector(".state");
    var rowsEl = el.querySelector(".rows");
    var resultEl = el.querySelector(".import-result");
    var source = new EventSource("/api/imports/" + encodeURIComponent(id) + "/events");
    var finished = false;

    source.onmessage = function (event) {
      var msg;
      try {
        msg = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      var rows = msg.rows || 0;
      if (msg.total) {
        var pct = Math.min(100, Math.round((rows / msg.total) * 100));
        bar.classList.remove("indeterminate");
        fill.style.width = pct + "%";
        bar.setAttribute("aria-valuenow", String(pct));
        rowsEl.textContent = fmtNumber(rows) + " of " + fmtNumber(msg.total) + " rows (" + pct + "%)";
      } else {
        rowsEl.textContent = fmtNumber(rows) + " rows";
      }
      if (msg.state === "running") {
        stateEl.textContent = "Importing…";
      } else if (msg.state === "done") {
        finished = true;
        source.close();
        bar.classList.remove("indeterminate");
        bar.classList.add("done");
        bar.setAttribute("aria-valuenow", "100");
        stateEl.textContent = "Import finished";
        resultEl.innerHTML = renderReport(msg.report);
        el.dispatchEvent(new CustomEvent("import:done", { detail: msg, bubbles: true }));
      } else if (msg.state === "failed") {
        finished = true;
        source.close();
        bar.classList.remove("indeterminate");
        bar.classList.add("failed");
        stateEl.textContent = "Import failed";
        resultEl.innerHTML =
          '<div class="flash flash-error" role="alert"><div><strong>The import was not applied.</strong> ' +
          escapeHtml(msg.error || "The server gave no reason.") +
          (msg.report ? "</div></div>" + renderReport(msg.report) : "</div></div>");
        el.dispatchEvent(new CustomEvent("import:failed", { detail: msg, bubbles: true }));
      }
    };
    source.onerror = function () {
      if (!finished) stateEl.textContent = "Connection lost; retrying…";
    };
    return source;
  }

  // The report's shape is the server's; show its scalar fields as a key/value list and
  // an `errors` array ({row, column, value, message}) as a table.
  function renderReport(report) {
    if (!report || typeof report !== "object") return "";
    var html = '<dl class="kv">';
    Object.keys(report).forEach(function (key) {
      var v = report[key];
      if (v === null || typeof v === "object") return;
      var label = key.replace(/_/g, " ");
      html += "<dt>" + escapeHtml(label.charAt(0).toUpperCase() + label.slice(1)) + "</dt><dd>" +
        (typeof v === "number" ? fmtNumber(v) : escapeHtml(v)) + "</dd>";
    });
    html += "</dl>";
    var errors = Array.isArray(report.errors) ? report.errors : [];
    if (errors.length) {
      var shown = errors.slice(0, 200);
      html += '<h3 style="margin-top:1rem">' + fmtNumber(errors.length) + " row error" + (errors.length === 1 ? "" : "s") + "</h3>" +
        '<div class="table-wrap scroll"><table class="table table-compact"><thead><tr><th class="num">Row</th><th>Column</th><th>Value</th><th>Problem</th></tr></thead><tbody>';
      shown.forEach(function (e) {
        html += '<tr><td class="num">' + escapeHtml(e.row) + "</td><td>" + escapeHtml(e.column || "") +
          '</td><td class="mono">' + escapeHtml(e.value == null ? "" : e.value) + "</td><td>" +
          escapeHtml(e.message || e.reason || "") + "</td></tr>";
      });
      html += "</tbody></table></div>";
      if (errors.length > shown.length) html += '<p class="small muted">The first ' + shown.length + " are shown.</p>";
    }
    return html;
  }

  window.watchImport = watchImport;

  function init() {
    fillCountryList();
    document.querySelectorAll("[data-import-id]").forEach(function (el) {
      watchImport(el.getAttribute("data-import-id"), el);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
