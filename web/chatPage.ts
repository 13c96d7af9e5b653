/**
 * The demo chat page. It speaks the `json.webpubsub.azure.v1` subprotocol directly (no bundler,
 * no build step): negotiate, connect, `join` a group, `send` to it, and show what arrives.
 * Everything received is written with textContent, never as HTML.
 */
export const CHAT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard chat</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  form { display: flex; gap: .5rem; margin: .5rem 0; }
  input { flex: 1; padding: .4rem; }
  #log { border: 1px solid #ccc; height: 22rem; overflow-y: auto; padding: .5rem; }
  #log p { margin: .2rem 0; }
  .system { color: #666; font-style: italic; }
  .error { color: #b00; }
</style>
</head>
<body>
<h1>Switchboard chat</h1>
<form id="join">
  <input id="name" placeholder="your name" required maxlength="64" autocomplete="off">
  <input id="group" value="lobby" required maxlength="64">
  <button>Join</button>
</form>
<div id="log" aria-live="polite"></div>
<form id="send">
  <input id="text" placeholder="message" autocomplete="off" disabled>
  <button id="sendButton" disabled>Send</button>
</form>
<script>
  const log = document.getElementById("log");
  let socket, group, nextAck = 1;

  function show(text, kind) {
    const line = document.createElement("p");
    line.textContent = text;
    if (kind) line.className = kind;
    log.append(line);
    log.scrollTop = log.scrollHeight;
  }

  function sendMessage(message) {
    socket.send(JSON.stringify({ type: "event", event: "message", dataType: "json", data: message, ackId: nextAck++ }));
  }

  document.getElementById("join").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = document.getElementById("name").value.trim();
    group = document.getElementById("group").value.trim();
    const response = await fetch("negotiate?userId=" + encodeURIComponent(name));
    if (!response.ok) return show("negotiate failed: " + response.status + " " + (await response.text()), "error");
    const { url } = await response.json();
    socket?.close();
    socket = new WebSocket(url, "json.webpubsub.azure.v1");
    socket.addEventListener("open", () => sendMessage({ type: "join", group, id: "join" }));
    socket.addEventListener("close", () => show("disconnected", "system"));
    socket.addEventListener("message", (frame) => {
      const message = JSON.parse(frame.data);
      if (message.type === "system" && message.event === "connected") show("connected as " + message.userId, "system");
      if (message.type !== "message") return;
      const data = message.data;
      if (message.from === "server" && data && data.type === "ack") {
        if (!data.ok) show("refused: " + data.error.code + " (" + data.error.message + ")", "error");
        else if (data.id === "join") {
          show("joined " + group, "system");
          for (const id of ["text", "sendButton"]) document.getElementById(id).disabled = false;
        }
      } else if (data && data.type === "message") {
        show(data.from + ": " + (typeof data.data === "object" && data.data ? data.data.text : String(data.data)));
      }
    });
  });

  document.getElementById("send").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("text");
    if (!input.value) return;
    sendMessage({ type: "send", group, data: { text: input.value } });
    input.value = "";
  });
</script>
</body>
</html>
`;
