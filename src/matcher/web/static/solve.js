// Live progress of a solve: the page listens to the server's events (/app/solves/ID/events) and writes the
// status, the objective being optimised and each objective's value and bound so far; when the solve ends,
// the links to the result and the re-plan button appear, and the cancel button goes. Text only (textContent): nothing from the server is read as HTML.
(function () {
  const box = document.getElementById("solve-progress");
  if (!box || !window.EventSource) return;
  const labels = JSON.parse(box.dataset.labels);
  const events = new EventSource(box.dataset.events);
  const text = (value) => (value === undefined || value === null ? "" : String(value));
  const word = (name) => labels.words[name] || text(name);
  events.onmessage = function (message) {
    const state = JSON.parse(message.data);
    document.getElementById("solve-status").textContent = word(state.status);
    const progress = state.progress || {};
    box.replaceChildren();
    if (progress.tier) {
      const line = document.createElement("p");
      line.textContent = labels.tier + ": " + word(progress.tier);
      box.appendChild(line);
    }
    const objectives = progress.objectives || [];
    if (objectives.length) {
      const table = document.createElement("table");
      const head = table.createTHead().insertRow();
      for (const label of [labels.tier, labels.value, labels.bound]) {
        const cell = document.createElement("th");
        cell.scope = "col";
        cell.textContent = label;
        head.appendChild(cell);
      }
      const body = table.createTBody();
      for (const objective of objectives) {
        const row = body.insertRow();
        const name = document.createElement("th");
        name.scope = "row";
        name.textContent = word(objective.name);
        row.appendChild(name);
        row.insertCell().textContent = text(objective.value);
        row.insertCell().textContent = text(objective.bound);
      }
      box.appendChild(table);
    }
    if (["completed", "failed", "cancelled"].includes(state.status)) {  // the names, not the words shown
      document.getElementById("solve-done").hidden = false;
      document.getElementById("cancel-form").hidden = true;
      document.getElementById("replan-form").hidden = !state.proposal;  // a re-plan starts from its proposal
      events.close();
    }
  };
})();
