// MedStock dashboard: polls /api/dashboard and draws everything without a reload.
"use strict";

const POLL_MS = 5000;
const STATUS_COLOURS = {
  SUCCESS: "#2e8b57",
  RUNNING: "#1f6feb",
  ERROR: "#c0392b",
  CRASHED: "#7b1f1f",
  CANCELLED: "#8a96a3",
  LATE: "#c98a00",
  SKIPPED: "#d4b35a",
  SCHEDULED: "#b8c4cf",
};
const SVG_NS = "http://www.w3.org/2000/svg";
const tokenInput = document.getElementById("token");
tokenInput.value = sessionStorage.getItem("medstock-token") || "";
tokenInput.addEventListener("change", () => {
  sessionStorage.setItem("medstock-token", tokenInput.value);
});

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

const integer = new Intl.NumberFormat("en");
const money = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function time(iso) {
  if (!iso) return "–";
  const when = new Date(iso);
  const seconds = Math.round((Date.now() - when.getTime()) / 1000);
  if (seconds < 90) return `${Math.max(seconds, 0)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return when.toLocaleString();
}

function duration(ms) {
  if (ms === null || ms === undefined) return "–";
  return ms < 10000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms / 1000)} s`;
}

function badge(text) {
  return el("span", { class: `badge ${text || ""}` }, text || "–");
}

function say(text) {
  document.getElementById("action-message").textContent = text;
}

async function act(path, body, label) {
  const headers = { "Content-Type": "application/json" };
  if (tokenInput.value) headers.Authorization = `Bearer ${tokenInput.value}`;
  const response = await fetch(path, {
    method: "POST", headers, body: JSON.stringify(body || {}),
  });
  const payload = await response.json().catch(() => ({}));
  say(response.ok ? `${label}: done` : `${label}: ${payload.detail || response.status}`);
  await refresh();
}

function renderKpis(kpis) {
  for (const node of document.querySelectorAll("[data-kpi]")) {
    const value = kpis[node.dataset.kpi];
    if (value === null || value === undefined) node.textContent = "–";
    else if (node.dataset.kpi === "inventory_value") node.textContent = money.format(Number(value));
    else node.textContent = integer.format(value);
  }
}

function renderAgents(agents) {
  const section = document.getElementById("agents");
  section.replaceChildren(...agents.map((agent) => {
    const paused = !agent.is_active;
    const rate = agent.success_rate === null ? "–" : `${(agent.success_rate * 100).toFixed(1)} %`;
    const name = agent.agent;
    return el("article", { class: "agent", "data-agent": name },
      el("h3", {}, name, el("span", { "data-field": "health" }, badge(agent.health))),
      el("dl", {},
        el("dt", {}, "schedule"), el("dd", {}, `${agent.cron || "–"}${paused ? " (paused)" : ""}`),
        el("dt", {}, "last heartbeat"), el("dd", {}, time(agent.last_heartbeat)),
        el("dt", {}, "last run"), el("dd", {}, agent.last_status || "–"),
        el("dt", {}, "success rate, 24 h"), el("dd", {}, rate),
        el("dt", {}, "mean duration, 24 h"), el("dd", {}, duration(agent.mean_duration_ms)),
        agent.last_error ? el("dt", {}, "last error") : null,
        agent.last_error ? el("dd", {}, agent.last_error) : null,
      ),
      el("div", { class: "actions" },
        paused
          ? el("button", { onclick: () => act(`/api/agents/${name}/resume`, null, `resume ${name}`) }, "resume")
          : el("button", { class: "danger", onclick: () => act(`/api/agents/${name}/pause`, null, `pause ${name}`) }, "pause"),
        el("button", { onclick: () => act(`/api/agents/${name}/run`, null, `run ${name} now`) }, "run now"),
        agent.prefect_url ? el("a", { href: agent.prefect_url, target: "_blank" }, "runs in Prefect") : null,
      ),
    );
  }));
}

function receive(order) {
  let body = {};
  if (order.tracks_expiry) {
    const lot = prompt(`Lot number of ${order.sku} on the delivery label`);
    if (!lot) return;
    const expiry = prompt("Expiry date on the label (YYYY-MM-DD)");
    if (!expiry) return;
    body = { lot_number: lot, expiry_date: expiry };
  }
  act(`/api/orders/${order.id}/receive`, body, `receive order ${order.id}`);
}

function renderOrders(orders) {
  const body = document.querySelector("#orders tbody");
  body.replaceChildren(...orders.map((order) => el("tr", { "data-order": order.id },
    el("td", {}, order.id),
    el("td", { title: order.product_name }, order.sku),
    el("td", { class: "num" }, integer.format(order.quantity)),
    el("td", {}, badge(order.status)),
    el("td", {}, time(order.created_at)),
    el("td", {}, el("div", { class: "row-actions" },
      order.status === "PENDING"
        ? el("button", { onclick: () => act(`/api/orders/${order.id}/mark-ordered`, null, `order ${order.id} ordered`) }, "mark ordered")
        : el("button", { onclick: () => receive(order) }, "receive"),
      el("button", { class: "danger", onclick: () => act(`/api/orders/${order.id}/cancel`, null, `cancel order ${order.id}`) }, "cancel"),
    )),
  )));
  if (!orders.length) body.append(el("tr", {}, el("td", { colspan: 6, class: "muted" }, "no open orders")));
}

function renderCritical(products) {
  const body = document.querySelector("#critical tbody");
  body.replaceChildren(...products.map((p) => el("tr", { "data-sku": p.sku },
    el("td", {}, p.sku), el("td", {}, p.name),
    el("td", { class: "num" }, integer.format(p.stock)),
    el("td", { class: "num" }, integer.format(p.min_stock)),
    el("td", { class: "muted" }, p.unit),
  )));
  if (!products.length) body.append(el("tr", {}, el("td", { colspan: 5, class: "muted" }, "none below minimum")));
}

function renderRuns(logs) {
  const body = document.querySelector("#runs tbody");
  body.replaceChildren(...logs.map((log) => el("tr", {},
    el("td", {}, log.agent), el("td", {}, badge(log.status)),
    el("td", {}, time(log.started_at)),
    el("td", { class: "num" }, duration(log.duration_ms)),
    el("td", { class: "num" }, log.attempts), el("td", {}, log.trigger),
    el("td", { class: "message-cell", title: log.message }, log.message),
  )));
  if (!logs.length) body.append(el("tr", {}, el("td", { colspan: 7, class: "muted" }, "no runs yet")));
}

// Stock as a share of the minimum: the dark line is the minimum, 100 %.
function drawStockChart(products) {
  const chart = document.getElementById("stock-chart");
  const rows = products.slice(0, 12);
  const rowHeight = 22, left = 110, right = 90, width = 600;
  const height = Math.max(rows.length, 1) * rowHeight + 24;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  chart.replaceChildren();
  const span = width - left - right;
  const full = left + span * 0.8;  // the minimum sits at 80 % of the width
  rows.forEach((p, i) => {
    const y = i * rowHeight + 4;
    const share = p.min_stock ? p.stock / p.min_stock : 1;
    chart.append(
      svg("text", { x: left - 6, y: y + 14, "text-anchor": "end" }, p.sku),
      svg("rect", { x: left, y: y + 3, width: Math.max(1, (full - left) * Math.min(share, 1.25)), height: 14, fill: share < 0.5 ? "#c0392b" : "#e08a3c", rx: 2 }),
      svg("text", { x: full + 8, y: y + 14 }, `${p.stock} / ${p.min_stock}`),
    );
  });
  const bottom = rows.length * rowHeight + 6;
  chart.append(svg("line", { class: "min-line", x1: full, x2: full, y1: 0, y2: bottom }));
  chart.append(svg("text", { x: full, y: bottom + 14, "text-anchor": "middle" }, "minimum"));
  if (!rows.length) chart.append(svg("text", { x: left, y: 16 }, "no product is below its minimum"));
}

// Small multiples: one row of 24 hourly stacked columns per agent.
function drawRunsChart(buckets, agents, now) {
  const chart = document.getElementById("runs-chart");
  const names = [...new Set([...agents.map((a) => a.agent), ...buckets.map((b) => b.agent)])];
  const hours = [];
  const end = new Date(now);
  end.setUTCMinutes(0, 0, 0);
  for (let i = 23; i >= 0; i -= 1) hours.push(new Date(end.getTime() - i * 3600e3).toISOString().slice(0, 13));
  const counts = {};
  let peak = 1;
  for (const b of buckets) {
    const key = `${b.agent}|${b.hour.slice(0, 13)}`;
    (counts[key] = counts[key] || []).push(b);
  }
  for (const list of Object.values(counts)) peak = Math.max(peak, list.reduce((n, b) => n + b.runs, 0));
  const left = 110, width = 600, rowHeight = 56, colWidth = (width - left - 10) / 24;
  const height = names.length * rowHeight + 22;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  chart.replaceChildren();
  names.forEach((name, row) => {
    const base = row * rowHeight + rowHeight - 6;
    chart.append(svg("text", { x: left - 6, y: base - 18, "text-anchor": "end" }, name));
    chart.append(svg("line", { class: "axis", x1: left, x2: width - 10, y1: base, y2: base }));
    hours.forEach((hour, col) => {
      let top = base;
      const list = (counts[`${name}|${hour}`] || []).sort((a, b) => a.status.localeCompare(b.status));
      for (const b of list) {
        const h = (b.runs / peak) * (rowHeight - 14);
        top -= h;
        const rect = svg("rect", { x: left + col * colWidth + 1, y: top, width: colWidth - 2, height: h, fill: STATUS_COLOURS[b.status] || "#999" });
        rect.append(svg("title", {}, `${name} ${hour}:00 UTC: ${b.runs} ${b.status}`));
        chart.append(rect);
      }
    });
  });
  const axis = names.length * rowHeight + 14;
  [0, 6, 12, 18, 23].forEach((col) => {
    chart.append(svg("text", { x: left + col * colWidth + colWidth / 2, y: axis, "text-anchor": "middle" }, `${hours[col].slice(11, 13)}h`));
  });
  chart.append(svg("text", { x: width - 10, y: 10, "text-anchor": "end" }, `tallest column: ${peak} runs`));
  const seen = [...new Set(buckets.map((b) => b.status))].sort();
  document.getElementById("runs-legend").replaceChildren(...seen.map((status) =>
    el("span", {}, el("i", { style: `background:${STATUS_COLOURS[status] || "#999"}` }), status)));
}

async function refresh() {
  try {
    const response = await fetch("/api/dashboard", { cache: "no-store" });
    if (!response.ok) throw new Error(String(response.status));
    const data = await response.json();
    renderKpis(data.kpis);
    renderAgents(data.agents);
    renderCritical(data.critical_products);
    renderOrders(data.open_orders);
    renderRuns(data.task_logs);
    drawStockChart(data.critical_products);
    drawRunsChart(data.runs_per_hour, data.agents, data.generated_at);
    const link = document.getElementById("prefect-link");
    if (data.prefect_ui) { link.href = data.prefect_ui; link.hidden = false; }
    document.getElementById("updated").textContent = `updated ${new Date(data.generated_at).toLocaleTimeString()}`;
    document.getElementById("connection").hidden = true;
  } catch (error) {
    document.getElementById("connection").hidden = false;
  }
}

refresh();
setInterval(refresh, POLL_MS);
