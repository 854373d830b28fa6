// parareel studio: the page. Frames come from the server as JPEGs, one request in
// flight, always for the newest frame wanted; the sound plays in an <audio> element
// whose clock leads playback (frames are dropped rather than drifting from it).

const $ = (id) => document.getElementById(id);
const viewer = $("viewer");
const context = viewer.getContext("2d");
const sound = $("sound");

const state = {
  info: null, n: 0, range: null, loop: false, muted: false, playing: false,
  vars: readVars(), latency: 0, drawn: 0, sharp: 0, drawnAt: 0,
};
window.studio = { state, show };  // for automation: studio.show(n), studio.state

function readVars() {
  const text = new URLSearchParams(location.search).get("vars");
  try { return text ? JSON.parse(text) : {}; } catch { return {}; }
}

function query(extra = {}) {
  const params = new URLSearchParams(extra);
  if (Object.keys(state.vars).length) params.set("vars", JSON.stringify(state.vars));
  return params.toString();
}

function keepInUrl() {
  const params = new URLSearchParams(location.search);
  if (Object.keys(state.vars).length) params.set("vars", JSON.stringify(state.vars));
  else params.delete("vars");
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

// The frame on screen: sharp at the size it is shown, draft (half) while moving.

function quantize(scale) { return Math.min(1, Math.max(0.125, Math.ceil(scale * 8) / 8)); }
function sharpScale() {  // the size the frame is shown at, fitted into the stage
  const box = viewer.getBoundingClientRect();
  const { width, height } = state.info;
  const shown = Math.min(box.width, (box.height * width) / height) * devicePixelRatio;
  return quantize(shown / width);
}
function draftScale() { return quantize(sharpScale() / 2); }

let inFlight = false;
let wanted = null;
let settle = null;

function show(n, draft = false, scale = null) {
  if (!state.info) return;
  state.n = Math.max(0, Math.min(state.info.frames - 1, n));
  updateCounter();
  wanted = { n: state.n, scale: scale || (draft ? draftScale() : sharpScale()) };
  clearTimeout(settle);
  if (draft) settle = setTimeout(() => show(state.n), 150);  // sharp once it stops
  if (!inFlight) fetchWanted();
}

async function fetchWanted() {
  if (!wanted) return;
  const { n, scale } = wanted;
  wanted = null;
  inFlight = true;
  const started = performance.now();
  try {
    const answer = await fetch(`/api/frame/${n}?${query({ scale })}`);
    if (answer.ok) {
      const picture = await createImageBitmap(await answer.blob());
      viewer.width = Math.round(state.info.width * sharpScale());
      viewer.height = Math.round(state.info.height * sharpScale());
      context.drawImage(picture, 0, 0, viewer.width, viewer.height);
      viewer.dataset.shown = String(n);
      viewer.dataset.scale = String(scale);
      viewer.dataset.version = String(state.info.version);
      state.drawn += 1;
      if (scale === sharpScale()) state.sharp += 1;
      state.drawnAt = performance.now();
      state.latency = performance.now() - started;
    } else {
      const body = await answer.json().catch(() => ({}));
      if (body.problem) showProblem(body.problem);
    }
  } finally {
    inFlight = false;
    if (wanted) fetchWanted();
  }
}

function clock(n) {
  const fps = state.info.fps;
  const seconds = n / fps;
  const mm = String(Math.floor(seconds / 60)).padStart(2, "0");
  const ss = String(Math.floor(seconds % 60)).padStart(2, "0");
  const ff = String(Math.floor(n % fps)).padStart(2, "0");
  return `${mm}:${ss}.${ff}`;
}

function updateCounter() {
  $("frame").textContent = `frame ${state.n} / ${state.info.frames}`;
  $("time").textContent = clock(state.n);
  const width = $("timeline").clientWidth;
  $("head").style.left = `${(state.n / Math.max(1, state.info.frames)) * width}px`;
  const range = $("range");
  if (state.range) {
    range.style.left = `${(state.range[0] / state.info.frames) * width}px`;
    range.style.width = `${((state.range[1] - state.range[0] + 1) / state.info.frames) * width}px`;
  }
  range.hidden = !state.range;
  $("flags").textContent = [state.loop && "loop", state.muted && "muted",
    state.range && `range ${state.range[0]}-${state.range[1]}`].filter(Boolean).join(" · ");
}

// The project: timeline, variables, problems.

async function load() {
  const answer = await fetch(`/api/project?${query()}`);
  const body = await answer.json();
  if (!answer.ok) { showProblem(body.problem); return; }
  state.info = body;
  document.title = `parareel studio: ${body.width}x${body.height}, ${body.frames} frames`;
  drawTimeline();
  drawVariables();
  if (body.problem) showProblem(body.problem); else hideProblem();
  sound.src = body.cues.length ? `/api/audio?${query()}` : "";
  show(state.n);
}

function drawTimeline() {
  const timeline = $("timeline");
  timeline.querySelectorAll(".scene, .cue").forEach((e) => e.remove());
  const { frames, scenes, cues } = state.info;
  scenes.forEach((scene, i) => {
    const end = i + 1 < scenes.length ? scenes[i + 1].first : frames;
    const block = document.createElement("div");
    block.className = "scene";
    block.style.left = `${(scene.first / frames) * 100}%`;
    block.style.width = `${((end - scene.first) / frames) * 100}%`;
    block.textContent = scene.name;
    timeline.append(block);
  });
  for (const cue of cues) {
    const tick = document.createElement("div");
    tick.className = "cue";
    tick.title = cue.sound;
    tick.style.left = `${(cue.frame / frames) * 100}%`;
    timeline.append(tick);
  }
}

function drawVariables() {
  const form = $("variables");
  form.replaceChildren();
  for (const [name, fallback] of Object.entries(state.info.variables)) {
    const value = name in state.vars ? state.vars[name] : fallback;
    const label = document.createElement("label");
    label.textContent = name;
    const input = document.createElement("input");
    input.name = name;
    if (typeof fallback === "boolean") { input.type = "checkbox"; input.checked = value; }
    else if (typeof fallback === "number") { input.type = "number"; input.step = "any"; input.value = value; }
    else input.value = typeof fallback === "string" ? value : JSON.stringify(value);
    input.addEventListener("change", () => {
      let given;
      if (input.type === "checkbox") given = input.checked;
      else if (input.type === "number") given = Number(input.value);
      else if (typeof fallback === "string") given = input.value;
      else { try { given = JSON.parse(input.value); } catch { given = input.value; } }
      state.vars[name] = given;
      keepInUrl();
      load();
    });
    label.append(input);
    form.append(label);
  }
}

function showProblem(problem) {
  $("error").hidden = false;
  $("error-where").textContent = problem.file ? `${problem.file} line ${problem.line}` : "";
  $("error-source").textContent = problem.source || "";
  $("error-message").textContent = problem.message;
}
function hideProblem() { $("error").hidden = true; }

// Playing: the sound's clock leads when there is sound, the page's clock otherwise.

let started = 0;
let startFrame = 0;

function bounds() { return state.range || [0, state.info.frames - 1]; }

function play() {
  if (!state.info) return;
  const [first, last] = bounds();
  if (state.n >= last) state.n = first;
  state.playing = true;
  $("play").textContent = "Pause";
  startFrame = state.n;
  started = performance.now();
  if (sound.src && !state.muted) {
    sound.currentTime = state.n / state.info.fps;
    sound.play().catch(() => {});
  }
  requestAnimationFrame(tick);
}

function pause() {
  state.playing = false;
  $("play").textContent = "Play";
  sound.pause();
  show(state.n);
}

function tick() {
  if (!state.playing) return;
  const [first, last] = bounds();
  const fps = state.info.fps;
  const useSound = sound.src && !state.muted && !sound.paused;
  let n = useSound ? Math.floor(sound.currentTime * fps + 1e-6)
    : startFrame + Math.floor(((performance.now() - started) / 1000) * fps);
  if (n > last) {
    if (!state.loop) { state.n = last; pause(); return; }
    state.n = first;
    startFrame = first;
    started = performance.now();
    if (useSound) sound.currentTime = first / fps;
    n = first;
  }
  if (n !== state.n) {
    state.n = n;
    updateCounter();
  }
  if (!inFlight && viewer.dataset.shown !== String(n)) {  // drop frames rather than queue
    const slow = state.latency > 900 / fps;  // full frames cannot keep up: draft ones
    wanted = { n, scale: slow ? draftScale() : sharpScale() };
    fetchWanted();
  }
  requestAnimationFrame(tick);
}

// Input: the timeline, keys, buttons.

function frameAt(event) {
  const box = $("timeline").getBoundingClientRect();
  const x = Math.max(0, Math.min(box.width, event.clientX - box.left));
  return Math.min(state.info.frames - 1, Math.floor((x / box.width) * state.info.frames));
}

$("timeline").addEventListener("pointerdown", (event) => {
  if (!state.info) return;
  if (state.playing) pause();
  $("timeline").setPointerCapture(event.pointerId);
  show(frameAt(event), true);
  const move = (e) => show(frameAt(e), true);
  const up = (e) => {
    $("timeline").removeEventListener("pointermove", move);
    $("timeline").removeEventListener("pointerup", up);
    show(frameAt(e));
  };
  $("timeline").addEventListener("pointermove", move);
  $("timeline").addEventListener("pointerup", up);
});

document.addEventListener("keydown", (event) => {
  if (!state.info || event.target.closest("input, select, textarea")) return;
  const second = Math.round(state.info.fps);
  const step = { ArrowRight: event.shiftKey ? second : 1, ArrowLeft: event.shiftKey ? -second : -1 };
  if (event.key in step) { if (state.playing) pause(); show(state.n + step[event.key]); }
  else if (event.key === " ") state.playing ? pause() : play();
  else if (event.key === "Home") show(0);
  else if (event.key === "End") show(state.info.frames - 1);
  else if (event.key === "l" || event.key === "L") { state.loop = !state.loop; updateCounter(); }
  else if (event.key === "i" || event.key === "I") setRange(state.n, null);
  else if (event.key === "o" || event.key === "O") setRange(null, state.n);
  else if (event.key === "m" || event.key === "M") {
    state.muted = !state.muted;
    sound.muted = state.muted;
    updateCounter();
  } else if (event.key === "?") $("help").open ? $("help").close() : $("help").showModal();
  else return;
  event.preventDefault();
});

function setRange(first, last) {
  const [a, b] = state.range || [0, state.info.frames - 1];
  const start = first ?? a;
  const end = last ?? b;
  state.range = [Math.min(start, end), Math.max(start, end)];
  updateCounter();
}

$("variables").addEventListener("submit", (event) => event.preventDefault());  // Enter
$("play").addEventListener("click", () => (state.playing ? pause() : play()));
$("help-button").addEventListener("click", () => $("help").showModal());

$("still").addEventListener("click", () => {
  const link = document.createElement("a");
  link.href = `/api/still/${state.n}?${query()}`;
  link.download = `frame-${state.n}.png`;
  link.click();
});

$("render").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData($("render"));
  const workers = form.get("workers") === "auto" ? "auto" : Number(form.get("workers"));
  const asked = { format: form.get("format"), quality: form.get("quality"), workers,
    variables: state.vars };
  if (form.get("range") && state.range) asked.range = [state.range[0], state.range[1] + 1];
  $("render-result").textContent = "rendering...";
  const progress = $("render-progress");
  progress.hidden = false;
  progress.value = 0;
  progress.max = asked.range ? asked.range[1] - asked.range[0] : state.info.frames;
  const answer = await fetch("/api/render", { method: "POST", body: JSON.stringify(asked),
    headers: { "Content-Type": "application/json" } });
  if (!answer.ok) {
    const body = await answer.json();
    $("render-result").textContent = body.problem.message;
    progress.hidden = true;
  }
});

// Saves: reload keeps the frame, range and variables.

const events = new EventSource("/api/events");
events.onmessage = (message) => {
  const event = JSON.parse(message.data);
  if (event.type === "reload") load();
  else if (event.type === "problem") showProblem(event);
  else if (event.type === "render") $("render-progress").value = event.done;
  else if (event.type === "rendered") {
    $("render-progress").hidden = true;
    const result = $("render-result");
    if (event.problem) { result.textContent = event.problem; return; }
    result.innerHTML = "";
    const link = document.createElement("a");
    link.href = event.url;
    link.textContent = event.url.split("/").pop();
    result.append(`${event.frames} frames in ${event.seconds} s: `, link);
  }
};

window.addEventListener("resize", () => state.info && show(state.n));
load();
