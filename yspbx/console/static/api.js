// The control plane, by URLs relative to the page: /console uses /sim/v1, and a PBX mounted
// under a prefix (/pbx/NAME/console) uses its own /pbx/NAME/sim/v1.
const BASE = new URL("sim/v1/", document.baseURI);

export function url(path) {
  return new URL(path.replace(/^\//, ""), BASE).href;
}

export async function get(path) {
  const answer = await fetch(url(path), { cache: "no-store" });
  return reply(answer);
}

export async function post(path, body = {}, method = "POST") {
  const answer = await fetch(url(path), {
    method,
    headers: { "Content-Type": "application/json" },
    body: method === "DELETE" ? undefined : JSON.stringify(body),
  });
  return reply(answer);
}

async function reply(answer) {
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    throw new Error(data.detail || `${answer.status} ${answer.statusText}`);
  }
  return data;
}

// The event stream; `onEvent(name, data)` for each event, `onLink(text)` for the connection.
export function listen(names, onEvent, onLink) {
  const source = new EventSource(url("events"));
  source.addEventListener("open", () => onLink("live"));
  source.addEventListener("error", () => onLink("reconnecting…"));
  for (const name of names) {
    source.addEventListener(name, (message) => onEvent(name, JSON.parse(message.data)));
  }
  return source;
}
