// Raw HTTP/1.1 over a socket, for what fetch hides: header sizes, a
// connection closed without an answer, Retry-After, many requests sent at
// once on connections opened beforehand.
import net from "node:net";

// Opens a connection to 127.0.0.1:port; resolves with the socket.
export function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    s.on("error", reject);
  });
}

// Reads one answer from socket s (after the request was written): resolves
// {status, headers, body, json} once Content-Length bytes of body are in,
// or {closed: true, bytes} if the server closes first; rejects after ms.
export function readAnswer(s, ms = 30000) {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { done(); reject(new Error("no answer within " + ms + " ms")); }, ms);
    const done = () => { clearTimeout(timer); s.off("data", onData); s.off("close", onClose); s.off("error", onClose); };
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
      const headers = {};
      for (const l of lines.slice(1)) { const i = l.indexOf(":"); headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim(); }
      const len = Number(headers["content-length"] || 0);
      if (buf.length < end + 4 + len) return;
      const body = buf.subarray(end + 4, end + 4 + len).toString("utf8");
      let json; try { json = JSON.parse(body); } catch { /* not JSON */ }
      done();
      resolve({ status: Number(lines[0].split(" ")[1]), headers, body, json });
    };
    const onClose = () => { done(); resolve({ closed: true, bytes: buf.length }); };
    s.on("data", onData);
    s.on("close", onClose);
    s.on("error", onClose);
  });
}

// One request on a fresh connection: method, path, extra header lines, body.
export async function rawRequest(port, method, path, headers = [], body = "") {
  const s = await connect(port);
  const head = [`${method} ${path} HTTP/1.1`, "Host: 127.0.0.1", ...headers];
  if (body) head.push("Content-Length: " + Buffer.byteLength(body));
  const answer = readAnswer(s);
  s.write(head.join("\r\n") + "\r\n\r\n" + body);
  const r = await answer;
  s.destroy();
  return r;
}
