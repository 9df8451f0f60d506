import { get, post, listen } from "./api.js";

const ERRNOS = JSON.parse(document.getElementById("errnos").textContent);
const $ = (id) => document.getElementById(id);

const state = {
  now: 0, // PBX time at `nowAt` (browser time)
  nowAt: 0,
  extensions: [],
  settings: new Map(), // number -> {dnd, forward}
  queues: [],
  calls: [],
  selected: null,
  failures: new Map(), // ip -> failed logins seen
  fired: [], // events since the last jump started
  jumping: false,
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "on") {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (value !== undefined && value !== null) {
      node.setAttribute(key, value);
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function pbxNow() {
  return state.now + (Date.now() - state.nowAt) / 1000;
}

function when(seconds) {
  return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19);
}

function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

async function act(promise, messageId) {
  const target = messageId ? $(messageId) : null;
  try {
    const answer = await promise;
    if (target) target.textContent = "";
    return answer;
  } catch (error) {
    if (target) target.textContent = error.message;
    return null;
  }
}

// -- queues ---------------------------------------------------------------------------------

function renderQueues() {
  $("queue-list").replaceChildren(
    ...state.queues.map((q) =>
      el(
        "li",
        { "data-queue": q.number },
        el("strong", {}, `${q.number} ${q.name}`),
        ` · ${q.waiting} waiting`,
        el(
          "ul",
          { class: "agents", "aria-label": `Agents of queue ${q.number}` },
          ...q.agents.map((a) =>
            el(
              "li",
              { "data-agent": a.number, "data-state": a.state },
              `${a.number}: ${a.state}${a.dynamic ? " (logged in)" : ""}`,
            ),
          ),
        ),
      ),
    ),
  );
}

// -- the board -----------------------------------------------------------------------------

function phoneState(number, status) {
  const call = state.calls.find((c) => c.legs.some((l) => l.kind === "ext" && l.number === number));
  const leg = call && call.legs.find((l) => l.kind === "ext" && l.number === number);
  if (status === "Unregistered") return "unregistered";
  if (leg) return leg.state === "held" ? "on hold" : leg.state;
  return { Ringing: "ringing", Busy: "talking" }[status] || "idle";
}

function renderBoard() {
  const phones = $("phones");
  phones.replaceChildren(
    ...state.extensions.map(({ number, status }) => {
      const shown = phoneState(number, status);
      const flags = badges(number);
      return el(
        "button",
        {
          class: `phone ${shown.replace(/ /g, "-")}`,
          role: "listitem",
          "data-number": number,
          "data-state": shown,
          "aria-pressed": String(state.selected === number),
          "aria-label": `Extension ${number}: ${[shown, ...flags.map((b) => b.words)].join(", ")}`,
          on: { click: () => select(number) },
        },
        el("strong", {}, number),
        el("span", { class: "state" }, shown),
        flags.length
          ? el(
              "span",
              { class: "badges" },
              ...flags.map((b) => el("span", { class: `badge ${b.kind}`, title: b.words }, b.text)),
            )
          : null,
      );
    }),
  );
  renderPhone();
}

// DND, and forwarding of every call ("always"); the other rules (busy, no answer) only act on
// some calls, so they show in the badge's title rather than as a badge of their own.
function badges(number) {
  const settings = state.settings.get(number);
  if (!settings) return [];
  const shown = [];
  if (settings.dnd) shown.push({ kind: "dnd", text: "DND", words: "do not disturb" });
  const always = settings.forward.find((f) => f.rule === "always");
  if (always) {
    const where = always.destination || always.to.toLowerCase();
    const others = settings.forward
      .filter((f) => f !== always)
      .map((f) => `${f.rule}: ${f.destination || f.to.toLowerCase()}`);
    shown.push({
      kind: "fwd",
      text: `FWD ${where}`,
      words: [`forwards every call to ${where}`, ...others].join("; "),
    });
  }
  return shown;
}

function select(number) {
  state.selected = state.selected === number ? null : number;
  renderBoard();
}

function callOf(number) {
  return state.calls.find((c) => c.legs.some((l) => l.kind === "ext" && l.number === number));
}

function renderPhone() {
  const panel = $("phone");
  const number = state.selected;
  panel.hidden = number === null;
  if (number === null) return;
  const ext = state.extensions.find((e) => e.number === number);
  $("phone-h").textContent = `Phone ${number}: ${ext ? phoneState(number, ext.status) : "?"}`;
}

async function phoneAction(action) {
  const number = state.selected;
  if (number === null) return;
  const call = callOf(number);
  const needCall = () => {
    if (!call) throw new Error(`${number} is in no call`);
    return call.callid;
  };
  const run = async () => {
    switch (action) {
      case "register":
      case "unregister":
      case "hold":
      case "unhold":
        return post(`extensions/${number}/${action}`);
      case "answer":
        return post(`calls/${needCall()}/answer`, { party: number });
      case "hangup":
        return post(`calls/${needCall()}/hangup`, { party: number });
      default:
        return post(`calls/${needCall()}/dtmf`, { digits: action });
    }
  };
  await act(run(), "phone-msg");
  refresh("board");
}

function buildPhonePanel() {
  for (const button of $("phone").querySelectorAll("[data-act]")) {
    button.addEventListener("click", () => phoneAction(button.dataset.act));
  }
  const keypad = $("phone").querySelector(".keypad");
  for (const key of "123456789*0#") {
    keypad.append(
      el("button", { "aria-label": `key ${key}`, on: { click: () => phoneAction(key) } }, key),
    );
  }
}

async function loadTrunks() {
  const trunks = await get("trunks");
  $("trunks").replaceChildren(
    ...trunks.map((t) => el("li", {}, el("strong", {}, t.name), ` ${t.type} · ${t.status}`)),
  );
  const select = document.querySelector("#place select[name=trunk]");
  for (const t of trunks) select.append(el("option", { value: t.name }, t.name));
  // The tour starts with a call from outside: the first trunk is the default.
  if (trunks.length) select.value = trunks[0].name;
}

// -- calls ---------------------------------------------------------------------------------

function renderCalls() {
  const rows = state.calls.map((call) => {
    const legs = el(
      "ul",
      { class: "legs" },
      ...call.legs.map((l) => el("li", {}, `${l.number} (${l.kind}, ${l.role}): ${l.state}`)),
    );
    const ringing = call.legs.find((l) => l.state === "ringing");
    const party = el("input", { "aria-label": `Party of call ${call.callid}`, size: 6 });
    const to = el("input", { "aria-label": `Transfer call ${call.callid} to`, size: 6 });
    const ext = call.legs.find((l) => l.kind === "ext");
    if (ext) party.value = ext.number;
    const actions = el(
      "div",
      { class: "buttons" },
      el(
        "button",
        {
          disabled: ringing ? null : "",
          on: { click: () => callAction(call.callid, "answer", {}) },
        },
        "Answer",
      ),
      el("button", { on: { click: () => callAction(call.callid, "hangup", {}) } }, "Hang up"),
      party,
      to,
      el(
        "button",
        {
          on: {
            click: () => callAction(call.callid, "transfer", { party: party.value, to: to.value }),
          },
        },
        "Transfer",
      ),
    );
    return el(
      "tr",
      { "data-callid": call.callid },
      el("td", {}, call.callid, el("br"), call.parties.join(" → ")),
      el("td", { class: "call-state" }, call.state),
      el("td", {}, legs),
      el("td", { class: "duration", "data-since": call.answered_at || call.started_at }, ""),
      el("td", {}, actions),
    );
  });
  $("call-rows").replaceChildren(...rows);
  tickDurations();
}

async function callAction(callid, action, body) {
  await act(post(`calls/${callid}/${action}`, body), "place-msg");
  refresh("board");
}

function tickDurations() {
  const now = pbxNow();
  for (const cell of document.querySelectorAll("td.duration")) {
    cell.textContent = duration(now - Number(cell.dataset.since));
  }
  $("now").textContent = state.nowAt ? when(now) : "…";
}

// -- reports -------------------------------------------------------------------------------

async function loadReports() {
  const reports = await get("reports");
  const filter = $("report-filter");
  const actions = new Set(reports.map((r) => r.action));
  const known = new Set([...filter.options].map((o) => o.value));
  for (const action of [...actions].sort()) {
    if (!known.has(action)) filter.append(el("option", { value: action }, action));
  }
  const shown = reports.filter((r) => !filter.value || r.action === filter.value).slice(-200);
  $("report-rows").replaceChildren(
    ...shown.reverse().map((r) =>
      el(
        "tr",
        { class: `report ${r.state}`, "data-action": r.action },
        el("td", {}, r.id === null ? "—" : String(r.id)),
        el("td", {}, r.action),
        el("td", { class: "report-state" }, r.state),
        el("td", {}, String(r.attempts)),
        el("td", {}, r.last_status === null ? "—" : String(r.last_status)),
        el("td", {}, r.target),
        el("td", {}, el("code", {}, r.body)),
      ),
    ),
  );
}

// -- sessions and security -----------------------------------------------------------------

async function loadSecurity() {
  const [sessions, blocked] = await Promise.all([get("sessions"), get("blocked-ips")]);
  $("session-rows").replaceChildren(
    ...sessions.map((s) =>
      el(
        "tr",
        {},
        el("td", {}, el("code", {}, s.token)),
        el("td", {}, s.client_ip),
        el("td", {}, s.target),
        el("td", {}, when(s.expires_at)),
      ),
    ),
  );
  $("blocked").replaceChildren(
    ...(blocked.length
      ? blocked.map((b) =>
          el(
            "li",
            { "data-ip": b.ip },
            `${b.ip} until ${when(b.until)} `,
            el(
              "button",
              { on: { click: () => unblock(b.ip) }, "aria-label": `Unblock ${b.ip}` },
              "Unblock",
            ),
          ),
        )
      : [el("li", {}, "none")]),
  );
  $("failures").replaceChildren(
    ...(state.failures.size
      ? [...state.failures].map(([ip, n]) => el("li", {}, `${ip}: ${n} failed`))
      : [el("li", {}, "none seen since the page opened")]),
  );
}

async function unblock(ip) {
  await act(post(`blocked-ips/${encodeURIComponent(ip)}`, {}, "DELETE"));
  state.failures.delete(ip);
  refresh("security");
}

// -- clock ---------------------------------------------------------------------------------

async function jump(seconds) {
  state.fired = [];
  state.jumping = true;
  renderFired();
  await act(post("clock/advance", { seconds }));
}

function renderFired() {
  $("fired").replaceChildren(
    ...(state.fired.length
      ? state.fired.map((text) => el("li", {}, text))
      : [el("li", {}, state.jumping ? "…" : "nothing yet")]),
  );
}

function describe(name, data) {
  switch (name) {
    case "session":
      return `session ${data.token}: ${data.change}`;
    case "call":
      return `call ${data.callid}: ${data.action} (${data.state})`;
    case "report":
      return `report #${data.id ?? ""} ${data.action ?? ""}: ${data.change}`;
    case "extension":
      return `extension ${data.number}: ${data.status}`;
    case "lockout":
      return `${data.ip}: ${data.change}`;
    default:
      return `${name}`;
  }
}

// -- journal -------------------------------------------------------------------------------

let journal = [];
// Entries streamed while the journal is being fetched: the fetch may have been answered before
// they were written, so they are added to what it brings unless it already holds them.
let journalArrivals = null;

function journalKey(entry) {
  return `${entry.time}|${entry.client_ip}|${entry.method}|${entry.path}|${entry.query}`;
}

function errnoOf(entry) {
  try {
    const answer = JSON.parse(entry.response);
    return answer && answer.errno ? String(answer.errno) : "";
  } catch {
    return "";
  }
}

function renderJournal() {
  const needle = $("journal-filter").value.trim().toLowerCase();
  const rows = [];
  for (const entry of journal.slice(-300).reverse()) {
    const errno = errnoOf(entry);
    const text = `${entry.path} ${entry.client_ip} ${entry.body} ${entry.response} ${errno}`;
    if (needle && !text.toLowerCase().includes(needle)) continue;
    rows.push(
      el(
        "tr",
        {},
        el("td", {}, when(entry.time)),
        el("td", {}, entry.client_ip),
        el("td", {}, `${entry.method} ${entry.path}`, el("br"), el("code", {}, entry.body)),
        el("td", {}, el("code", {}, entry.response)),
        el("td", {}, errno ? `${errno}: ${ERRNOS[errno] || "unknown errno"}` : ""),
      ),
    );
  }
  $("journal-rows").replaceChildren(...rows);
}

// -- loading and the stream ----------------------------------------------------------------

const loaders = {
  async board() {
    const s = await get("state");
    state.now = s.now;
    state.nowAt = Date.now();
    state.extensions = s.extensions;
    state.settings = new Map((s.extension_settings || []).map((e) => [e.number, e]));
    state.calls = s.calls;
    renderBoard();
    renderCalls();
  },
  async queues() {
    state.queues = await get("queues");
    renderQueues();
  },
  reports: loadReports,
  security: loadSecurity,
  async journal() {
    const arrived = [];
    journalArrivals = arrived;
    try {
      const fetched = await get("journal");
      const held = new Set(fetched.map(journalKey));
      journal = fetched.concat(arrived.filter((entry) => !held.has(journalKey(entry))));
    } finally {
      if (journalArrivals === arrived) journalArrivals = null;
    }
    renderJournal();
  },
};

const pending = new Map();

// Reload a part soon, once for a burst of events.
function refresh(part) {
  if (pending.has(part)) return;
  pending.set(
    part,
    setTimeout(async () => {
      pending.delete(part);
      try {
        await loaders[part]();
      } catch (error) {
        $("link").textContent = error.message;
      }
    }, 50),
  );
}

const PARTS = {
  extension: ["board", "queues"],
  call: ["board", "queues"],
  cdr: ["board"],
  report: ["reports"],
  session: ["security"],
  lockout: ["security"],
  clock: ["board", "security"],
  reset: ["board", "reports", "security", "journal", "queues"],
  hello: ["board", "reports", "security", "journal", "queues"],
  config: ["board", "queues"],
};

function onEvent(name, data) {
  if (name === "lockout") {
    if (data.change === "unblocked") state.failures.delete(data.ip);
    else state.failures.set(data.ip, data.failures);
  }
  if (name === "journal") {
    // Agents log in, out, pause and resume through API requests (queue/*), which the stream
    // shows as journal entries only: the queue panel reads the queues again after one.
    if (/\/queue[a-z]*\//.test(data.path || "")) refresh("queues");
    journal.push(data);
    if (journalArrivals) journalArrivals.push(data);
    if (journal.length > 1000) journal = journal.slice(-1000);
    renderJournal();
  }
  if (name === "clock") {
    state.jumping = false;
    state.fired.push(`now ${when(data.now)}: ${data.timers} timers fired`);
    renderFired();
  } else if (state.jumping && name !== "journal") {
    state.fired.push(describe(name, data));
  }
  for (const part of PARTS[name] || []) refresh(part);
}

function setup() {
  buildPhonePanel();
  renderFired();
  $("place").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { from: form.get("from"), to: form.get("to") };
    if (form.get("trunk")) body.trunk = form.get("trunk");
    await act(post("calls", body), "place-msg");
    refresh("board");
  });
  for (const button of document.querySelectorAll("#clock [data-seconds]")) {
    button.addEventListener("click", () => jump(Number(button.dataset.seconds)));
  }
  $("custom-jump").addEventListener("submit", (event) => {
    event.preventDefault();
    jump(Number(new FormData(event.target).get("seconds")));
  });
  $("report-filter").addEventListener("change", () => refresh("reports"));
  $("journal-filter").addEventListener("input", renderJournal);
  $("reset").addEventListener("click", () => {
    $("reset-confirm").hidden = false;
    $("reset-yes").focus();
  });
  $("reset-no").addEventListener("click", () => {
    $("reset-confirm").hidden = true;
  });
  $("reset-yes").addEventListener("click", async () => {
    $("reset-confirm").hidden = true;
    state.failures.clear();
    journal = [];
    await act(post("reset"));
  });
  loadTrunks().catch((error) => ($("link").textContent = error.message));
  listen([...Object.keys(PARTS), "journal", "overflow"], onEvent, (text) => {
    $("link").textContent = text;
    document.body.dataset.link = text;
  });
  setInterval(tickDurations, 1000);
}

setup();
