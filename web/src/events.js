import { token } from "./api.js";

// The live event stream: WebSocket /api/v1/events?kinds=&pids=. Each page
// opens its own stream with the kinds it needs and closes it when it
// leaves; a lost connection is retried with a growing delay, and the
// header shows whether the page is live.
const liveEl = () => document.getElementById("live");

function showLive(state) {
  const el = liveEl();
  if (!el) return;
  el.dataset.state = state;
  el.textContent = state === "live" ? "● live" : state === "down" ? "○ disconnected, retrying…"
    : state === "refused" ? "○ stream refused (see the page)" : "";
}

export function openEvents({ kinds, pids } = {}, onFrame, onOpen, onClose) {
  // commas stay plain: the server splits the lists on them
  const params = [];
  if (kinds?.length) params.push(`kinds=${kinds.map(encodeURIComponent).join(",")}`);
  if (pids?.length) params.push(`pids=${pids.map((p) => encodeURIComponent(p.replace(/[<>]/g, ""))).join(",")}`);
  if (token()) params.push(`token=${encodeURIComponent(token())}`);   // a browser cannot send the header here
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/events?${params.join("&")}`;
  let ws = null, closed = false, refused = false, retry = 500, timer = null;
  const connect = () => {
    ws = new WebSocket(url);
    ws.onopen = () => {
      retry = 500;
      showLive("live");
      onOpen?.();
    };
    ws.onmessage = (msg) => {
      let frame;
      try {
        frame = JSON.parse(msg.data);
      } catch {
        return;
      }
      if (frame.type === "error") refused = true;    // the node will not follow this query: no retry
      onFrame(frame);
    };
    ws.onclose = () => {
      if (closed) return;
      onClose?.();
      showLive(refused ? "refused" : "down");
      if (refused) return;
      timer = setTimeout(connect, retry);
      retry = Math.min(retry * 2, 8000);
    };
  };
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    ws?.close();
    showLive("");
  };
}
