"use strict";
(function () {
  const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
  const data = JSON.parse(document.getElementById("report-data").textContent);

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function table(headers, rows) {
    const t = element("table");
    const head = element("tr");
    headers.forEach(function (h) { head.appendChild(element("th", h)); });
    t.appendChild(head);
    rows.forEach(function (row) {
      const tr = element("tr");
      row.forEach(function (cell) { tr.appendChild(element("td", cell)); });
      t.appendChild(tr);
    });
    return t;
  }

  function percent(value) { return value === null || value === undefined ? "–" : (100 * value).toFixed(1) + " %"; }

  function figures() {
    const names = ["persons_housed", "households_housed", "overdue_weeks", "max_shortfall_permille",
                   "dwellings_lost", "mean_wait_weeks", "declined"];
    const rows = data.policies.map(function (p) {
      const row = [p.policy].concat(names.map(function (n) { return p.figures[n]; }));
      row.push(p.ratios ? percent(p.ratios.persons_housed) : "–");
      row.push(p.hindsight ? p.hindsight.persons_housed.bound + ", " + p.hindsight.overdue_weeks.bound : "–");
      return row;
    });
    document.getElementById("figures-table").appendChild(
      table(["policy"].concat(names.map(function (n) { return n.replace(/_/g, " "); }),
                              ["persons / hindsight bound", "hindsight bounds: persons, overdue weeks"]), rows));
  }

  function regionProgress(policy) {
    const target = data.municipalities.reduce(function (sum, m) { return sum + m.target; }, 0);
    return policy.housed.map(function (byMunicipality) {
      const housed = Object.values(byMunicipality).reduce(function (sum, n) { return sum + n; }, 0);
      return target > 0 ? Math.round(1000 * housed / target) / 10 : null;
    });
  }

  function chart(id, series) {
    new Chart(document.getElementById(id), {
      type: "line",
      data: {
        labels: data.weeks,
        datasets: data.policies.map(function (p, i) {
          return { label: p.policy, data: series(p), borderColor: COLOURS[i % COLOURS.length],
                   backgroundColor: COLOURS[i % COLOURS.length], pointRadius: 2, tension: 0.1 };
        }),
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 scales: { y: { beginAtZero: true } } },
    });
  }

  function municipalities() {
    const rows = data.municipalities.map(function (m) {
      const row = [m.name || m.id, m.target];
      data.policies.forEach(function (p) {
        const end = p.housed.length ? p.housed[p.housed.length - 1][m.id] : m.housed;
        row.push(m.target > 0 ? percent(end / m.target) : "–");
      });
      return row;
    });
    document.getElementById("municipality-table").appendChild(
      table(["municipality", "target"].concat(data.policies.map(function (p) { return p.policy; })), rows));
  }

  try {
    document.getElementById("title").textContent = "Replay of " + data.scenario;
    document.getElementById("subtitle").textContent = data.weeks.length + " weeks from " + data.start + "; policies: " +
      data.policies.map(function (p) { return p.policy; }).join(", ");
    figures();
    chart("chart-waiting", function (p) { return p.waiting; });
    chart("chart-overdue", function (p) { return p.overdue; });
    chart("chart-progress", regionProgress);
    chart("chart-lost", function (p) { return p.lost; });
    municipalities();
    document.getElementById("footer").textContent = "matcher " + data.matcher_version;
    document.body.setAttribute("data-ready", "1");
  } catch (error) {
    const box = document.getElementById("report-errors");
    box.hidden = false;
    box.textContent = "The report could not be drawn: " + error;
    throw error;
  }
})();
