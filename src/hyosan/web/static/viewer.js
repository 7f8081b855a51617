// hyosan viewer: live school runs, replays, city and country maps, population models.
// Plain ES module, no build step. The wire format is described in hyosan/web/frames.py.

const $ = (id) => document.getElementById(id);
const status = (msg) => { $("status").textContent = msg || ""; };
const CELL = { void: 0, wall: 1, floor: 2, door_open: 3, door_closed: 4, door_locked: 5,
  door_barricaded: 6, window: 7, stairs: 8, exit: 9, helipad: 10, supply: 11, door_broken: 12, tap: 13 };
const CELL_RGB = { 0: [236, 236, 236], 1: [80, 80, 80], 2: [255, 255, 255], 7: [150, 200, 240],
  8: [210, 200, 150], 9: [0, 170, 0], 10: [120, 220, 120], 11: [240, 220, 140],
  13: [0, 160, 170] };
const DOOR_COLOR = { 3: "#d9b27a", 4: "#8a5a1e", 5: "#5a2a00", 6: "#000000", 12: "#ff9a00", 7: "#6fb0e0" };
const DOOR_NAME = { 3: "door open", 4: "door closed", 5: "door locked", 6: "barricaded", 12: "broken" };

async function getJSON(url) {
  const r = await fetch(url);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || body.detail || r.statusText);
  return body;
}

export function clock(t, startHour) {
  const total = startHour * 3600 + t;
  const day = Math.floor(total / 86400) + 1;
  const rem = total % 86400;
  const hh = String(Math.floor(rem / 3600)).padStart(2, "0");
  const mm = String(Math.floor((rem % 3600) / 60)).padStart(2, "0");
  return `day ${day} ${hh}:${mm}`;
}

export function decodePlan(buf) {
  const v = new DataView(buf);
  const F = v.getUint32(4, true), H = v.getUint32(8, true), W = v.getUint32(12, true);
  return { F, H, W, cells: new Uint8Array(buf, 16, F * H * W) };
}

export function decodeFrame(buf) {
  const v = new DataView(buf);
  const playing = v.getUint8(1) === 1;
  const n = v.getUint32(4, true), t = v.getFloat64(8, true), nd = v.getUint32(16, true);
  let o = 24;
  const counts = Array.from(new Uint32Array(buf.slice(o, o + 28))); o += 28;
  const pos = new Uint32Array(buf.slice(o, o + 4 * n)); o += 4 * n;
  const kind = new Uint8Array(buf, o, n); o += n;
  const doors = new Uint8Array(buf, o, nd);
  return { playing, t, counts, pos, kind, doors };
}

// ---- the floors: all levels at a readable scale, zoom and pan, people by kind, names --------
class FloorView {
  constructor(canvas, onPick) {
    this.c = canvas; this.g = canvas.getContext("2d"); this.onPick = onPick;
    this.scale = 4; this.ox = 10; this.oy = 24; this.frame = null; this.info = null; this.dirty = true;
    let drag = null, moved = false;
    canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      const k = e.deltaY < 0 ? 1.2 : 1 / 1.2, x = e.offsetX, y = e.offsetY;
      this.ox = x - (x - this.ox) * k; this.oy = y - (y - this.oy) * k; this.scale *= k; this.dirty = true;
    });
    canvas.addEventListener("mousedown", (e) => { drag = [e.offsetX, e.offsetY]; moved = false; });
    canvas.addEventListener("mousemove", (e) => {
      if (!drag) return;
      const dx = e.offsetX - drag[0], dy = e.offsetY - drag[1];
      if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
      if (moved) { this.ox += dx; this.oy += dy; drag = [e.offsetX, e.offsetY]; this.dirty = true; }
    });
    canvas.addEventListener("mouseup", (e) => { if (!moved) this.pick(e.offsetX, e.offsetY); drag = null; });
  }

  setPlan(info, plan) {
    this.info = info; this.plan = plan;
    const { F, H, W, cells } = plan;
    this.cols = F > 2 ? 2 : F; this.gap = 6;
    this.origin = [];
    for (let f = 0; f < F; f++) {
      this.origin.push([(f % this.cols) * (W + this.gap), Math.floor(f / this.cols) * (H + this.gap + 4)]);
    }
    const rows = Math.ceil(F / this.cols);
    const off = document.createElement("canvas");
    off.width = this.cols * (W + this.gap); off.height = rows * (H + this.gap + 4);
    const og = off.getContext("2d"), img = og.createImageData(off.width, off.height);
    for (let f = 0; f < F; f++) {
      const [x0, y0] = this.origin[f];
      for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) {
        const code = cells[f * H * W + r * W + c];
        const rgb = CELL_RGB[code] || [255, 255, 255];
        const i = 4 * ((y0 + r) * off.width + x0 + c);
        img.data[i] = rgb[0]; img.data[i + 1] = rgb[1]; img.data[i + 2] = rgb[2]; img.data[i + 3] = 255;
      }
    }
    og.putImageData(img, 0, 0);
    this.off = off;
    const fit = Math.min((this.c.width - 20) / off.width, (this.c.height - 30) / off.height);
    this.scale = Math.max(3, fit); this.ox = 10; this.oy = 24; this.dirty = true;
  }

  where(cell) {  // (level, x, y) in metres of the layout
    const { H, W } = this.plan, HW = H * W;
    const f = Math.floor(cell / HW), r = Math.floor((cell % HW) / W), c = cell % W;
    return [this.origin[f][0] + c, this.origin[f][1] + r];
  }

  screenOf(agent) {  // the pixel where a person is drawn (tests click there)
    const [x, y] = this.where(this.frame.pos[agent]);
    return [this.ox + (x + 0.5) * this.scale, this.oy + (y + 0.5) * this.scale];
  }

  pick(px, py) {
    if (!this.frame) return;
    const x = (px - this.ox) / this.scale, y = (py - this.oy) / this.scale;
    let best = -1, bestD = 1.5;
    const { pos, kind } = this.frame;
    for (let a = 0; a < pos.length; a++) {
      if (kind[a] >= 4) continue;
      const [ax, ay] = this.where(pos[a]);
      const d = Math.hypot(ax + 0.5 - x, ay + 0.5 - y);
      if (d < bestD || (d === bestD && this.info.named[a])) { best = a; bestD = d; }
    }
    if (best >= 0) { this.selected = best; this.dirty = true; this.onPick(best); }
  }

  setFrame(frame) { this.frame = frame; this.dirty = true; }

  draw() {
    if (!this.dirty || !this.off) return false;
    this.dirty = false;
    const g = this.g, s = this.scale;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.fillStyle = "#f0efe9"; g.fillRect(0, 0, this.c.width, this.c.height);
    g.imageSmoothingEnabled = false;
    g.setTransform(s, 0, 0, s, this.ox, this.oy);
    g.drawImage(this.off, 0, 0);
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.fillStyle = "#333"; g.font = "bold 12px sans-serif";
    this.info.levels.forEach((lv, f) => {
      const [x, y] = this.origin[f];
      g.fillText(`level ${lv}`, this.ox + x * s, this.oy + y * s - 4);
    });
    const fr = this.frame;
    if (!fr) return true;
    const doors = this.info.doors;
    for (let i = 0; i < doors.length; i++) {
      const col = DOOR_COLOR[fr.doors[i]];
      if (!col) continue;
      const [x, y] = this.where(doors[i]);
      g.fillStyle = col; g.fillRect(this.ox + x * s, this.oy + y * s, s, s);
    }
    const colors = this.info.kind_colors, r = Math.max(1.5, s * 0.42);
    for (let a = 0; a < fr.pos.length; a++) {
      const k = fr.kind[a];
      if (k >= 4) continue;  // the dead, escaped and rescued are not on the floors
      const [x, y] = this.where(fr.pos[a]);
      g.fillStyle = colors[k];
      g.beginPath(); g.arc(this.ox + (x + 0.5) * s, this.oy + (y + 0.5) * s, r, 0, 6.2832); g.fill();
    }
    const fs = Math.max(10, Math.min(14, s * 2.5)), boxes = [];
    g.font = `${fs}px sans-serif`;
    for (const [a, name] of Object.entries(this.info.named)) {
      const k = fr.kind[a];
      if (k >= 4) continue;
      const [x, y] = this.where(fr.pos[a]);
      const px = this.ox + (x + 0.5) * s, py = this.oy + (y + 0.5) * s;
      g.strokeStyle = "#000"; g.lineWidth = 1.5;
      g.beginPath(); g.arc(px, py, r + 1.5, 0, 6.2832); g.stroke();
      // a label that would cover another is left out (zoom in to read every name)
      const box = [px + r + 3, py - 2 - fs, g.measureText(name).width, fs + 2];
      if (boxes.some((b) => box[0] < b[0] + b[2] && b[0] < box[0] + box[2] && box[1] < b[1] + b[3] && b[1] < box[1] + box[3])) continue;
      boxes.push(box);
      g.lineWidth = 3; g.strokeStyle = "rgba(255,255,255,0.85)"; g.strokeText(name, px + r + 3, py - 2);
      g.fillStyle = "#000"; g.fillText(name, px + r + 3, py - 2);
    }
    if (this.selected != null && fr.kind[this.selected] < 4) {
      const [x, y] = this.where(fr.pos[this.selected]);
      g.strokeStyle = "#ff0"; g.lineWidth = 3;
      g.beginPath(); g.arc(this.ox + (x + 0.5) * s, this.oy + (y + 0.5) * s, r + 5, 0, 6.2832); g.stroke();
    }
    return true;
  }
}

function legend(el, info) {
  const kinds = info.kinds.slice(0, 4).map((k, i) => `<span><i style="background:${info.kind_colors[i]}"></i>${k}</span>`);
  const doors = Object.entries(DOOR_NAME).map(([c, n]) => `<span><i style="background:${DOOR_COLOR[c]}"></i>${n}</span>`);
  el.innerHTML = kinds.join("") + "<br>" + doors.join("") + "<br><span>grey: walls; green: exits; yellow: food and water; teal: water (a tap); 1 square = 1 m</span>";
}

// ---- counts over time --------------------------------------------------------------------
class CountChart {
  constructor(canvas) { this.c = canvas; this.g = canvas.getContext("2d"); this.reset(); }
  reset() { this.t = []; this.rows = []; this.dirty = true; }
  add(t, counts) {
    if (this.t.length && t <= this.t[this.t.length - 1]) return;
    this.t.push(t); this.rows.push(counts); this.dirty = true;
  }
  draw(info) {
    if (!this.dirty || !info) return;
    this.dirty = false;
    const g = this.g, W = this.c.width, H = this.c.height, L = 42, B = 30, T = 36;
    g.clearRect(0, 0, W, H);
    g.fillStyle = "#222"; g.font = "12px sans-serif";
    g.fillText("people on the floors by kind", L, 12);
    if (!this.t.length) return;
    const tmax = Math.max(this.t[this.t.length - 1], 60) / 3600;
    const ymax = Math.max(10, ...this.rows.map((r) => Math.max(r[0], r[1], r[2] + r[3], r[4])));
    g.strokeStyle = "#888"; g.beginPath(); g.moveTo(L, T); g.lineTo(L, H - B); g.lineTo(W - 6, H - B); g.stroke();
    g.fillText("0", L - 12, H - B + 4); g.fillText(String(ymax), 2, T + 8);
    g.fillText(`story hours (0 to ${tmax.toFixed(2)})`, L + 40, H - 8);
    const series = [[0, info.kind_colors[0], "human"], [1, info.kind_colors[1], "zombie"],
      [-1, info.kind_colors[2], "hybrid"], [4, info.kind_colors[4], "dead"]];
    for (const [k, col] of series) {
      g.strokeStyle = col; g.lineWidth = 1.6; g.beginPath();
      this.rows.forEach((r, i) => {
        const y = k < 0 ? r[2] + r[3] : r[k];
        const px = L + (this.t[i] / 3600 / tmax) * (W - L - 8), py = H - B - (y / ymax) * (H - B - T);
        i ? g.lineTo(px, py) : g.moveTo(px, py);
      });
      g.stroke();
    }
    let x = L + 4;
    for (const [, col, name] of series) {
      g.fillStyle = col; g.fillRect(x, 18, 8, 8); g.fillStyle = "#222"; g.fillText(name, x + 10, 26);
      x += 14 + g.measureText(name).width + 6;
    }
  }
}

// ---- live runs ------------------------------------------------------------------------------
const live = { ws: null, info: null, frames: 0, lastFrame: null };
const liveView = new FloorView($("live-canvas"), (a) => send({ cmd: "agent", agent: a }));
const liveChart = new CountChart($("live-chart"));

function send(obj) { if (live.ws && live.ws.readyState === 1) live.ws.send(JSON.stringify(obj)); }

function connect() {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${location.host}/ws/live`);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => resolve(ws);
    ws.onclose = () => status("live connection closed");
    ws.onmessage = (m) => {
      if (typeof m.data === "string") return onLiveJSON(JSON.parse(m.data));
      const type = new Uint8Array(m.data, 0, 1)[0];
      if (type === 1) { liveView.setPlan(live.info, decodePlan(m.data)); return; }
      const fr = decodeFrame(m.data);
      live.lastFrame = fr; live.frames += 1;
      liveView.setFrame(fr);
      liveChart.add(fr.t, fr.counts);
      $("live-clock").textContent = clock(fr.t, live.info.start_hour);
    };
  });
}

function onLiveJSON(msg) {
  if (msg.type === "plan") {
    live.info = msg; liveChart.reset(); $("live-feed").innerHTML = ""; legend($("live-legend"), msg);
    for (const id of ["live-play", "live-pause", "live-step"]) $(id).disabled = false;
    status(`live: ${msg.scenario}, seed ${msg.seed} (session ${msg.session})`);
  } else if (msg.type === "events") {
    const feed = $("live-feed");
    for (const e of msg.items) {
      const li = document.createElement("li"); li.textContent = e.text; feed.prepend(li);
    }
    while (feed.children.length > 300) feed.lastChild.remove();
  } else if (msg.type === "agent") {
    $("live-person").textContent = personText(msg);
  } else if (msg.type === "error") {
    status(msg.error);
  }
}

function personText(p) {
  const keep = ["name", "role", "kind", "mode", "level", "room", "row", "col", "strength", "speed", "weapon",
    "bitten_at", "turn_at", "hunger", "thirst_s", "without_food_s"];
  return keep.filter((k) => k in p).map((k) => `${k}: ${p[k]}`).join("\n");
}

$("live-start").onclick = async () => {
  if (!live.ws || live.ws.readyState !== 1) live.ws = await connect();
  send({ cmd: "start", scenario: $("live-scenario").value, seed: Number($("live-seed").value) });
  send({ cmd: "speed", speed: Number($("live-speed").value) });
};
$("live-play").onclick = () => send({ cmd: "play" });
$("live-pause").onclick = () => send({ cmd: "pause" });
$("live-step").onclick = () => send({ cmd: "step", seconds: 60 });
$("live-speed").onchange = () => send({ cmd: "speed", speed: Number($("live-speed").value) });

// ---- replays ----------------------------------------------------------------------------------
const rep = { name: null, info: null, timer: null };
const repView = new FloorView($("replay-canvas"), (a) => {
  const fr = repView.frame;
  $("replay-person").textContent = `${rep.info.named[a] || "person #" + a}\nkind: ${rep.info.kinds[fr.kind[a]]}`;
});
const repChart = new CountChart($("replay-chart"));

async function showReplayFrame(i) {
  const r = await fetch(`/api/runs/${rep.name}/frame/${i}`);
  const fr = decodeFrame(await r.arrayBuffer());
  repView.setFrame(fr);
  $("replay-clock").textContent = clock(fr.t, rep.info.start_hour);
  rep.shown = i;
}

$("replay-load").onclick = async () => {
  rep.name = $("replay-run").value;
  rep.info = await getJSON(`/api/runs/${rep.name}/replay`);
  const plan = decodePlan(await (await fetch(`/api/runs/${rep.name}/plan`)).arrayBuffer());
  repView.setPlan(rep.info, plan);
  legend($("replay-legend"), rep.info);
  const s = $("replay-slider");
  s.max = rep.info.frames - 1; s.value = 0; s.disabled = false; $("replay-play").disabled = false;
  repChart.reset();
  rep.info.times.forEach((t, i) => repChart.add(t, rep.info.counts[i]));
  await showReplayFrame(0);
};
$("replay-slider").oninput = () => showReplayFrame(Number($("replay-slider").value));
$("replay-play").onclick = () => {
  if (rep.timer) { clearInterval(rep.timer); rep.timer = null; $("replay-play").textContent = "Play"; return; }
  $("replay-play").textContent = "Pause";
  rep.timer = setInterval(() => {
    const s = $("replay-slider");
    if (Number(s.value) >= Number(s.max)) { $("replay-play").onclick(); return; }
    s.value = Number(s.value) + 1; showReplayFrame(Number(s.value));
  }, 100);
};

// ---- city and country maps ---------------------------------------------------------------
const map = { data: null, shape: null, meta: null, timer: null, drawn: 0 };

function heat(u) {  // early (dark red) to late (yellow)
  return [Math.round(120 + 135 * u), Math.round(20 + 200 * u), Math.round(30 * (1 - u))];
}

function drawMap(hours) {
  const [R, C] = map.shape, cv = $("map-canvas"), g = cv.getContext("2d");
  const img = map.img, d = img.data, a = map.data, hmax = map.meta.hours, flip = map.meta.south_first;
  for (let r = 0; r < R; r++) {
    const src = (flip ? R - 1 - r : r) * C;
    for (let c = 0; c < C; c++) {
      const v = a[src + c], i = 4 * (r * C + c);
      if (Number.isNaN(v)) { d[i] = 245; d[i + 1] = 245; d[i + 2] = 245; }
      else if (v > hours) { d[i] = 200; d[i + 1] = 205; d[i + 2] = 215; }
      else { const [x, y, z] = heat(Math.min(1, v / hmax)); d[i] = x; d[i + 1] = y; d[i + 2] = z; }
      d[i + 3] = 255;
    }
  }
  map.off.getContext("2d").putImageData(img, 0, 0);
  const top = 28, keyH = 46, k = Math.min(cv.width / C, (cv.height - top - keyH) / R);
  g.fillStyle = "#fff"; g.fillRect(0, 0, cv.width, cv.height);
  g.imageSmoothingEnabled = false;
  g.drawImage(map.off, 0, top, C * k, R * k);
  g.fillStyle = "#222"; g.font = "bold 14px sans-serif";
  g.fillText(`${map.meta.title}: cells zombies had reached by hour ${hours.toFixed(0)}`, 6, 18);
  g.font = "12px sans-serif";
  for (const lm of map.meta.landmarks) {
    const x = (lm.col + 0.5) * k, y = top + ((flip ? R - 1 - lm.row : lm.row) + 0.5) * k;
    g.fillStyle = "#000"; g.beginPath(); g.arc(x, y, 3, 0, 6.2832); g.fill(); g.fillText(lm.name, x + 5, y - 3);
  }
  const ky = top + R * k + 10;  // colour key
  for (let i = 0; i < 200; i++) { const [x, y, z] = heat(i / 199); g.fillStyle = `rgb(${x},${y},${z})`; g.fillRect(6 + i, ky, 1, 12); }
  g.fillStyle = "#222";
  g.fillText(`first zombie arrived: hour 0 to ${hmax.toFixed(0)}`, 212, ky + 10);
  g.fillStyle = "rgb(200,205,215)"; g.fillRect(440, ky, 12, 12); g.fillStyle = "#222"; g.fillText("reached later", 456, ky + 10);
  g.strokeStyle = "#999"; g.strokeRect(560, ky, 12, 12); g.fillText("never reached or empty", 576, ky + 10);
  $("map-clock").textContent = `hour ${hours.toFixed(0)}`;
  map.drawn += 1;
}

$("map-load").onclick = async () => {
  const name = $("map-run").value;
  map.meta = await getJSON(`/api/runs/${name}/map`);
  const buf = await (await fetch(`/api/runs/${name}/arrival`)).arrayBuffer();
  const head = new Uint32Array(buf, 0, 2);
  map.shape = [head[0], head[1]];
  map.data = new Float32Array(buf, 8, head[0] * head[1]);
  map.off = document.createElement("canvas"); map.off.width = head[1]; map.off.height = head[0];
  map.img = map.off.getContext("2d").createImageData(head[1], head[0]);
  $("map-slider").disabled = false; $("map-play").disabled = false; $("map-slider").value = 100;
  drawMap(map.meta.hours);
};
$("map-slider").oninput = () => drawMap(map.meta.hours * Number($("map-slider").value) / 100);
$("map-play").onclick = () => {
  if (map.timer) { cancelAnimationFrame(map.timer); map.timer = null; $("map-play").textContent = "Play"; return; }
  $("map-play").textContent = "Pause";
  const t0 = performance.now(), span = 8000;  // the whole outbreak in eight seconds
  const step = () => {
    const u = Math.min(1, (performance.now() - t0) / span);
    $("map-slider").value = Math.round(100 * u);
    drawMap(map.meta.hours * u);
    if (u < 1) map.timer = requestAnimationFrame(step); else { map.timer = null; $("map-play").textContent = "Play"; }
  };
  map.timer = requestAnimationFrame(step);
};

// ---- population models -------------------------------------------------------------------
const models = { list: [], current: null, values: {}, pending: null, curves: null, version: 0 };
const SPECIES_COLORS = ["#2a6ee6", "#dc1e1e", "#333333", "#e08a00", "#9a3cc8", "#2aa84a", "#e650c8"];

function buildSliders() {
  const m = models.list.find((x) => x.name === $("model-name").value);
  models.current = m; models.values = {};
  const box = $("model-sliders"); box.innerHTML = `<h3>${m.title}</h3>`;
  const add = (name, value, unit) => {
    const max = value > 0 ? value * 4 : 1, div = document.createElement("div");
    div.className = "slider";
    div.innerHTML = `<label>${name} <input type="range" min="0" max="${max}" step="${max / 200}" value="${value}" data-name="${name}"> <b>${value}</b> ${unit || ""}</label>`;
    const inp = div.querySelector("input");
    inp.oninput = () => { div.querySelector("b").textContent = Number(inp.value).toPrecision(3); models.values[name] = Number(inp.value); refresh(); };
    box.appendChild(div);
  };
  for (const p of m.parameters) add(p.name, p.value, p.unit);
  for (const [s, v] of Object.entries(m.initial)) if (v > 0) add(s, v, "at the start");
  refresh();
}

function refresh() {
  clearTimeout(models.pending);
  models.pending = setTimeout(async () => {
    const q = new URLSearchParams({ ...models.values, runs: $("model-runs").value });
    try {
      models.curves = await getJSON(`/api/model/${models.current.name}?${q}`);
      models.version += 1; drawModel(); status("");
    } catch (e) { status(e.message); }
  }, 120);
}

function drawModel() {
  const d = models.curves, cv = $("model-canvas"), g = cv.getContext("2d");
  const W = cv.width, H = cv.height, L = 60, B = 40, T = 30, R = 140;
  g.clearRect(0, 0, W, H);
  const tmax = d.t[d.t.length - 1];
  let ymax = 1;
  d.species.forEach((s) => { ymax = Math.max(ymax, ...d.ode[s]); if (d.bands[s]) ymax = Math.max(ymax, ...d.bands[s].p95); });
  const X = (t) => L + (t / tmax) * (W - L - R), Y = (y) => H - B - (y / ymax) * (H - B - T);
  g.strokeStyle = "#888"; g.beginPath(); g.moveTo(L, T); g.lineTo(L, H - B); g.lineTo(W - R, H - B); g.stroke();
  g.fillStyle = "#222"; g.font = "12px sans-serif";
  for (let i = 0; i <= 4; i++) {
    g.fillText(String(Math.round((ymax * i) / 4)), 4, Y((ymax * i) / 4) + 4);
    g.fillText((tmax * i / 4).toPrecision(3), X(tmax * i / 4) - 10, H - B + 16);
  }
  g.fillText(`time (${d.time_unit}s)`, (W - R) / 2, H - 6);
  g.save(); g.translate(14, H / 2); g.rotate(-Math.PI / 2); g.fillText("people", 0, 0); g.restore();
  g.font = "bold 14px sans-serif";
  g.fillText(`${d.model}: ODE (lines) and ${d.runs} ${d.method.toUpperCase()} runs (median dashed, 5-95 % band of the runs that took off)`, L, 18);
  g.font = "12px sans-serif";
  d.species.forEach((s, i) => {
    const col = SPECIES_COLORS[i % SPECIES_COLORS.length], b = d.bands[s];
    if (b) {
      g.fillStyle = col + "33"; g.beginPath();
      d.t.forEach((t, j) => (j ? g.lineTo(X(t), Y(b.p95[j])) : g.moveTo(X(t), Y(b.p95[j]))));
      for (let j = d.t.length - 1; j >= 0; j--) g.lineTo(X(d.t[j]), Y(b.p5[j]));
      g.fill();
      g.strokeStyle = col; g.setLineDash([5, 4]); g.beginPath();
      d.t.forEach((t, j) => (j ? g.lineTo(X(t), Y(b.p50[j])) : g.moveTo(X(t), Y(b.p50[j])))); g.stroke(); g.setLineDash([]);
    }
    g.strokeStyle = col; g.lineWidth = 2; g.beginPath();
    d.t.forEach((t, j) => (j ? g.lineTo(X(t), Y(d.ode[s][j])) : g.moveTo(X(t), Y(d.ode[s][j])))); g.stroke(); g.lineWidth = 1;
    g.fillStyle = col; g.fillRect(W - R + 12, T + 18 * i, 12, 12); g.fillStyle = "#222"; g.fillText(s, W - R + 30, T + 10 + 18 * i);
  });
  $("model-note").textContent = `${d.died_out} of ${d.runs} runs died out early (left out of the band)`;
}

$("model-name").onchange = buildSliders;
$("model-runs").onchange = refresh;

// ---- tabs, lists, the drawing loop ---------------------------------------------------------
for (const b of document.querySelectorAll("nav button")) {
  b.onclick = () => {
    document.querySelectorAll("nav button, .tab").forEach((x) => x.classList.remove("on"));
    b.classList.add("on"); $(b.dataset.tab).classList.add("on");
  };
}

const stats = { paints: 0, fps: 0 };
let last = performance.now(), count = 0;
function loop(now) {
  if (liveView.draw()) stats.paints += 1;
  liveChart.draw(live.info);
  repView.draw();
  repChart.draw(rep.info);
  count += 1;
  if (now - last >= 1000) { stats.fps = (count * 1000) / (now - last); count = 0; last = now; }
  requestAnimationFrame(loop);
}
requestAnimationFrame(loop);

async function init() {
  const scen = await getJSON("/api/scenarios");
  $("live-scenario").innerHTML = scen.filter((s) => s.kind === "school").map((s) => `<option>${s.name}</option>`).join("");
  const runs = await getJSON("/api/runs");
  $("replay-run").innerHTML = runs.filter((r) => r.kind === "school").map((r) => `<option>${r.name}</option>`).join("");
  $("map-run").innerHTML = runs.filter((r) => r.kind === "map").map((r) => `<option>${r.name}</option>`).join("");
  models.list = await getJSON("/api/models");
  $("model-name").innerHTML = models.list.map((m) => `<option>${m.name}</option>`).join("");
  buildSliders();
  document.body.dataset.ready = "1";
}
init().catch((e) => status(e.message));

// what the browser tests read (and a person can inspect in the console)
window.hyosan = { live, liveView, repView, rep, map, models, stats };
