/* matcher report: draws the map, the taakstelling chart and the tables from the JSON blob #report-data.
 * Every text from the data goes into the page through textContent, never as HTML. */
(function () {
  "use strict";

  var problems = [];
  function fail(message) {
    problems.push(message);
    var box = document.getElementById("report-errors");
    box.hidden = false;
    box.textContent = problems.join("\n");
  }
  window.addEventListener("error", function (event) { fail(String(event.message)); });

  var DATA = JSON.parse(document.getElementById("report-data").textContent);

  var LABELS = {
    nl: {
      title: "Voorstel", period: "periode", status: "status", generated: "gemaakt", map: "Kaart",
      progress: "Taakstelling per gemeente", assignments: "Toewijzingen", unassigned: "Niet toegewezen",
      groups: "Groepen (gemengd wonen)", schools: "Scholen", assigned: "woning toegewezen",
      empty: "woning blijft leeg", unavailable: "woning niet beschikbaar deze week", school: "school (wit = vrije plaatsen)",
      trip: "naar school", nearCap: "groep bijna vol", householdsAssigned: "huishoudens toegewezen",
      personsAssigned: "personen toegewezen", householdsUnassigned: "niet toegewezen",
      objective: "doel", value: "waarde", bound: "grens", gap: "verschil", household: "huishouden",
      persons: "personen", overdue: "urgent", waitingSince: "wacht sinds", dwelling: "woning",
      municipality: "gemeente", name: "naam", bedrooms: "slaapkamers", rent: "huur", primary: "basisschool",
      secondary: "voortgezet", km: "km", reasons: "redenen", target: "taakstelling", housed: "al gehuisvest",
      proposed: "voorgesteld", after: "na voorstel", shortfall: "tekort", permille: "tekort ‰",
      ceiling: "plafond", kind: "soort", units: "eenheden", statusHolderUnits: "al statushouders",
      cap: "nog toegestaan", used: "nu gevuld", remaining: "ruimte over", seats: "plaatsen",
      pupils: "leerlingen geplaatst", free: "vrij", yes: "ja", no: "nee", total: "totaal", errors: "Fouten",
      noRows: "geen", percentOfTarget: "% van de taakstelling", shared: "gedeeld",
      noTarget: "zonder taakstelling (niet in de grafiek)", explanation: "toelichting"
    },
    en: {
      title: "Proposal", period: "period", status: "status", generated: "generated", map: "Map",
      progress: "Taakstelling per municipality", assignments: "Assignments", unassigned: "Unassigned",
      groups: "Mixed-occupancy groups", schools: "Schools", assigned: "dwelling assigned",
      empty: "dwelling left empty", unavailable: "dwelling not available this week",
      school: "school (white = free seats)", trip: "to school", nearCap: "group near its cap",
      householdsAssigned: "households assigned", personsAssigned: "persons assigned",
      householdsUnassigned: "unassigned", objective: "objective", value: "value", bound: "bound", gap: "gap",
      household: "household", persons: "persons", overdue: "overdue", waitingSince: "waiting since",
      dwelling: "dwelling", municipality: "municipality", name: "name", bedrooms: "bedrooms", rent: "rent",
      primary: "primary", secondary: "secondary", km: "km", reasons: "reasons", target: "target",
      housed: "housed before", proposed: "proposed", after: "after proposal", shortfall: "shortfall",
      permille: "shortfall ‰", ceiling: "cap", kind: "kind", units: "units",
      statusHolderUnits: "status holders already", cap: "still allowed", used: "filled now",
      remaining: "room left", seats: "seats", pupils: "pupils placed", free: "free", yes: "yes", no: "no",
      total: "total", errors: "Errors", noRows: "none", percentOfTarget: "% of target", shared: "shared",
      noTarget: "without a target (not in the chart)", explanation: "explanation"
    }
  };
  var T = LABELS[DATA.language] || LABELS.en;
  var LOCALE = DATA.language === "nl" ? "nl-NL" : "en-GB";
  var COLOURS = { assigned: "#1a7f37", empty: "#b35900", unavailable: "#8c959f", school: "#0b5cad",
                  nearCap: "#c2185b", housed: "#8c959f", proposed: "#1a7f37", target: "#1f2328" };

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function number(value, decimals) {
    if (value === null || value === undefined || value === "") { return ""; }
    if (typeof value !== "number") { return String(value); }
    return value.toLocaleString(LOCALE, { minimumFractionDigits: decimals || 0, maximumFractionDigits: decimals || 0 });
  }
  function yesNo(value) { return value ? T.yes : T.no; }
  function byId(list) {
    var map = {};
    list.forEach(function (item) { map[item.id] = item; });
    return map;
  }

  /* A table: columns are {label, get(row), num, decimals, cls}; rows are data records. */
  function table(containerId, columns, rows, totals) {
    var container = document.getElementById(containerId);
    if (!rows.length) {
      container.appendChild(el("p", { "class": "muted" }, [T.noRows]));
      return;
    }
    var head = el("tr", {}, columns.map(function (c) { return el("th", c.num ? { "class": "num" } : {}, [c.label]); }));
    var body = el("tbody", {}, rows.map(function (row) {
      return el("tr", {}, columns.map(function (c) {
        var value = c.get(row);
        var text = c.num ? number(value, c.decimals) : (value === null || value === undefined ? "" : String(value));
        return el("td", { "class": (c.num ? "num " : "") + (c.cls ? c.cls(row) || "" : "") }, [text]);
      }));
    }));
    if (totals) {
      body.appendChild(el("tr", { "class": "total" }, columns.map(function (c, i) {
        var value = totals[i];
        return el("td", c.num ? { "class": "num" } : {}, [c.num ? number(value, c.decimals) : (value || "")]);
      })));
    }
    container.appendChild(el("table", {}, [el("thead", {}, [head]), body]));
  }

  function labelHeadings() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-label]"), function (node) {
      node.textContent = T[node.getAttribute("data-label")];
    });
  }

  function summary() {
    var header = document.getElementById("summary");
    var persons = DATA.assignments.reduce(function (sum, a) { return sum + a.size; }, 0);
    header.appendChild(el("h1", {}, [T.title + " " + DATA.instance]));
    header.appendChild(el("p", { "class": "meta" }, [
      T.period + " " + DATA.period_start + " – " + DATA.period_end + " · " + T.status + " ",
      el("span", { "class": "status status-" + DATA.status }, [DATA.status])
    ]));
    header.appendChild(el("div", { "class": "figures" }, [
      [DATA.assignments.length, T.householdsAssigned], [persons, T.personsAssigned],
      [DATA.unassigned.length, T.householdsUnassigned]
    ].map(function (figure) {
      return el("div", { "class": "figure" }, [el("b", {}, [number(figure[0])]), figure[1]]);
    })));
    if (DATA.errors.length) {
      header.appendChild(el("div", { "class": "errors" }, [el("strong", {}, [T.errors]),
        el("ul", {}, DATA.errors.map(function (error) { return el("li", {}, [error]); }))]));
    }
    var objectives = el("div", { id: "objective-table" });
    header.appendChild(objectives);
    table("objective-table", [
      { label: T.objective, get: function (o) { return o.name; } },
      { label: T.value, get: function (o) { return o.value; }, num: true },
      { label: T.bound, get: function (o) { return o.bound; }, num: true },
      { label: T.gap, get: function (o) { return o.gap; }, num: true }
    ], DATA.objectives);
  }

  function popup(lines) {
    return el("div", {}, lines.map(function (line) { return el("div", {}, [line]); }));
  }

  function drawMap() {
    var map = L.map("map", { scrollWheelZoom: false });
    if (DATA.tiles) {
      L.tileLayer(DATA.tiles.url, { attribution: DATA.tiles.attribution, maxZoom: DATA.tiles.max_zoom }).addTo(map);
    }
    var assignmentsByHousehold = {};
    DATA.assignments.forEach(function (a) { assignmentsByHousehold[a.household] = a; });
    var schools = byId(DATA.schools);
    var layers = { assigned: L.layerGroup(), empty: L.layerGroup(), unavailable: L.layerGroup(),
                   schools: L.layerGroup(), trips: L.layerGroup(), groups: L.layerGroup() };
    var points = [];
    var markers = 0;

    DATA.dwellings.forEach(function (d) {
      var state = d.households.length ? "assigned" : (d.available ? "empty" : "unavailable");
      var lines = [T.dwelling + " " + d.id + " · " + d.municipality,
                   T.bedrooms + ": " + d.bedrooms + " · " + T.rent + ": " + number(d.rent, 2) +
                   (d.shared_places ? " · " + T.shared + ": " + d.shared_places : "")];
      d.households.forEach(function (id) {
        var a = assignmentsByHousehold[id];
        lines.push(T.household + " " + id + " (" + a.size + " " + T.persons + ")");
        if (a.explanations.summary) { lines.push(String(a.explanations.summary)); }
        Object.keys(a.schools).forEach(function (kind) {
          var school = schools[a.schools[kind]];
          lines.push("  " + T[kind] + ": " + school.id + " (" + number(a.school_km[kind], 1) + " km)");
          L.polyline([[d.lat, d.lon], [school.lat, school.lon]], {
            color: COLOURS.school, weight: 1.5, dashArray: "4 4", className: "school-trip", interactive: false
          }).addTo(layers.trips);
        });
      });
      L.circleMarker([d.lat, d.lon], {
        radius: 7, color: "#ffffff", weight: 1.5, fillColor: COLOURS[state], fillOpacity: 0.95,
        className: "dwelling-marker dwelling-" + state
      }).bindPopup(popup(lines)).addTo(layers[state]);
      markers += 1;
      points.push([d.lat, d.lon]);
    });

    DATA.schools.forEach(function (s) {
      L.circleMarker([s.lat, s.lon], {
        radius: 5, color: COLOURS.school, weight: 2, fillColor: s.free > 0 ? "#ffffff" : COLOURS.school,
        fillOpacity: 1, className: "school-marker"
      }).bindPopup(popup(["school " + s.id + " (" + T[s.kind] + ")",
                          T.seats + ": " + s.seats + " · " + T.pupils + ": " + s.pupils + " · " + T.free + ": " + s.free]))
        .addTo(layers.schools);
      points.push([s.lat, s.lon]);
    });

    var dwellings = byId(DATA.dwellings);
    DATA.groups.filter(function (g) { return g.near_cap && g.dwellings.length; }).forEach(function (g) {
      var members = g.dwellings.map(function (id) { return L.latLng(dwellings[id].lat, dwellings[id].lon); });
      var centre = L.latLngBounds(members).getCenter();
      var radius = members.reduce(function (most, p) { return Math.max(most, centre.distanceTo(p)); }, 0) + 400;
      L.circle(centre, { radius: radius, color: COLOURS.nearCap, weight: 2, dashArray: "6 4", fill: false,
                         className: "group-near-cap" })
        .bindTooltip(g.id + ": " + g.used + " / " + g.cap + " (" + T.remaining + " " + g.remaining + ")")
        .addTo(layers.groups);
    });

    Object.keys(layers).forEach(function (key) { layers[key].addTo(map); });
    var overlays = {};
    overlays[T.assigned] = layers.assigned;
    overlays[T.empty] = layers.empty;
    overlays[T.unavailable] = layers.unavailable;
    overlays[T.school] = layers.schools;
    overlays[T.trip] = layers.trips;
    overlays[T.nearCap] = layers.groups;
    L.control.layers(null, overlays, { collapsed: true }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);

    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var box = el("div", { "class": "legend" });
      [["assigned", T.assigned, ""], ["empty", T.empty, ""], ["unavailable", T.unavailable, ""],
       ["school", T.school, ""], ["nearCap", T.nearCap, "box"]].forEach(function (item) {
        var swatch = el("i", { "class": item[2] });
        if (!item[2]) { swatch.style.background = COLOURS[item[0]]; }
        box.appendChild(el("div", {}, [swatch, item[1]]));
      });
      return box;
    };
    legend.addTo(map);

    if (points.length) {
      map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 15 });
    } else {
      map.setView([52.1, 5.2], 9);
    }
    document.getElementById("map").setAttribute("data-dwelling-markers", String(markers));
  }

  function drawChart() {
    var rows = DATA.municipalities.filter(function (m) { return m.target > 0; });
    var box = document.querySelector(".chart-box");
    box.style.height = Math.max(240, 90 + 30 * rows.length) + "px";
    function percent(value, m) { return Math.round(1000 * value / m.target) / 10; }
    var absolute = {};
    function dataset(key, label, get, extra) {
      absolute[label] = rows.map(get);
      return Object.assign({ label: label, data: rows.map(function (m) { return percent(get(m), m); }) }, extra);
    }
    new Chart(document.getElementById("progress-chart"), {
      type: "bar",
      data: {
        labels: rows.map(function (m) { return m.name || m.id; }),
        datasets: [
          dataset("housed", T.housed, function (m) { return m.housed; },
                  { backgroundColor: COLOURS.housed, stack: "persons", order: 2 }),
          dataset("proposed", T.proposed, function (m) { return m.proposed; },
                  { backgroundColor: COLOURS.proposed, stack: "persons", order: 2 }),
          dataset("target", T.target, function (m) { return m.target; },
                  { type: "line", showLine: false, pointStyle: "line", rotation: 90, pointRadius: 11,
                    pointBorderWidth: 3, borderColor: COLOURS.target, backgroundColor: COLOURS.target,
                    stack: "target", order: 1 }),
          dataset("ceiling", T.ceiling, function (m) { return m.ceiling; },
                  { type: "line", showLine: false, pointStyle: "line", rotation: 90, pointRadius: 11,
                    pointBorderWidth: 3, borderColor: COLOURS.nearCap, backgroundColor: COLOURS.nearCap,
                    stack: "ceiling", order: 1 })
        ]
      },
      options: {
        indexAxis: "y", animation: false, responsive: true, maintainAspectRatio: false,
        scales: {
          x: { stacked: true, beginAtZero: true, title: { display: true, text: T.percentOfTarget } },
          y: { stacked: true }
        },
        plugins: {
          tooltip: { callbacks: { label: function (ctx) {
            return ctx.dataset.label + ": " + absolute[ctx.dataset.label][ctx.dataIndex] + " (" +
              number(ctx.parsed.x, 1) + "%)";
          } } }
        }
      }
    });
  }

  function tables() {
    var totals = ["", T.total].concat(["target", "housed", "proposed", "after", "shortfall"].map(function (key) {
      return DATA.municipalities.reduce(function (sum, m) { return sum + m[key]; }, 0);
    })).concat(["", ""]);
    table("municipality-table", [
      { label: T.municipality, get: function (m) { return m.id; } },
      { label: T.name, get: function (m) { return m.name + (m.target > 0 ? "" : " — " + T.noTarget); } },
      { label: T.target, get: function (m) { return m.target; }, num: true },
      { label: T.housed, get: function (m) { return m.housed; }, num: true },
      { label: T.proposed, get: function (m) { return m.proposed; }, num: true },
      { label: T.after, get: function (m) { return m.after; }, num: true },
      { label: T.shortfall, get: function (m) { return m.shortfall; }, num: true },
      { label: T.permille, get: function (m) { return m.shortfall_permille; }, num: true },
      { label: T.ceiling, get: function (m) { return m.ceiling; }, num: true }
    ], DATA.municipalities, totals);

    var columns = [
      { label: T.household, get: function (a) { return a.household; } },
      { label: T.persons, get: function (a) { return a.size; }, num: true },
      { label: T.overdue, get: function (a) { return yesNo(a.overdue); },
        cls: function (a) { return a.overdue ? "flag-yes" : ""; } },
      { label: T.waitingSince, get: function (a) { return a.waiting_since; } },
      { label: T.dwelling, get: function (a) { return a.dwelling; } },
      { label: T.municipality, get: function (a) { return a.municipality_name || a.municipality; } },
      { label: T.bedrooms, get: function (a) { return a.bedrooms; }, num: true },
      { label: T.rent, get: function (a) { return a.rent; }, num: true, decimals: 2 },
      { label: T.primary, get: function (a) { return a.schools.primary || ""; } },
      { label: T.km, get: function (a) { return a.school_km.primary; }, num: true, decimals: 1 },
      { label: T.secondary, get: function (a) { return a.schools.secondary || ""; } },
      { label: T.km, get: function (a) { return a.school_km.secondary; }, num: true, decimals: 1 }
    ];
    /* A one-line summary says it all; without one, every explanation field gets a column. */
    var shownKeys = DATA.explanation_keys.indexOf("summary") >= 0 ? ["summary"] : DATA.explanation_keys;
    shownKeys.forEach(function (key) {
      columns.push({ label: key === "summary" ? T.explanation : key, cls: function () { return "wrap"; },
        get: function (a) {
          var value = a.explanations[key];
          return value === undefined || value === null ? "" : value;
        } });
    });
    table("assignment-table", columns, DATA.assignments);

    table("unassigned-table", [
      { label: T.household, get: function (u) { return u.household; } },
      { label: T.persons, get: function (u) { return u.size; }, num: true },
      { label: T.overdue, get: function (u) { return yesNo(u.overdue); },
        cls: function (u) { return u.overdue ? "flag-yes" : ""; } },
      { label: T.waitingSince, get: function (u) { return u.waiting_since; } },
      { label: T.reasons, get: function (u) { return u.reasons.join("\n"); }, cls: function () { return "reasons"; } }
    ], DATA.unassigned);

    table("group-table", [
      { label: "id", get: function (g) { return g.id; } },
      { label: T.kind, get: function (g) { return g.kind; } },
      { label: T.units, get: function (g) { return g.units; }, num: true },
      { label: T.statusHolderUnits, get: function (g) { return g.status_holder_units; }, num: true },
      { label: T.cap, get: function (g) { return g.cap; }, num: true },
      { label: T.used, get: function (g) { return g.used; }, num: true },
      { label: T.remaining, get: function (g) { return g.remaining; }, num: true,
        cls: function (g) { return g.near_cap ? "flag-yes" : ""; } }
    ], DATA.groups);

    table("school-table", [
      { label: "id", get: function (s) { return s.id; } },
      { label: T.kind, get: function (s) { return T[s.kind]; } },
      { label: T.seats, get: function (s) { return s.seats; }, num: true },
      { label: T.pupils, get: function (s) { return s.pupils; }, num: true },
      { label: T.free, get: function (s) { return s.free; }, num: true }
    ], DATA.schools);
  }

  function footer() {
    document.getElementById("footer").textContent = "matcher " + DATA.matcher_version + " · " + T.generated +
      " " + DATA.generated + " · Leaflet, Chart.js";
  }

  [labelHeadings, summary, drawMap, drawChart, tables, footer].forEach(function (step) {
    try {
      step();
    } catch (error) {
      fail(step.name + ": " + (error && error.message ? error.message : String(error)));
      if (window.console) { console.error(error); }
    }
  });
  document.body.setAttribute("data-ready", problems.length ? "failed" : "1");
})();
