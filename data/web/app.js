// The reference web client of ValeChat's WebSocket stream, contract
// version 1 (docs/api/websocket.md): connect with the access token, pick a
// model, chat with streaming, approve or deny tool calls, see what each
// reply cost. Plain JavaScript, no build step; text is always inserted as
// text (never as HTML).
"use strict";

const VERSION = 1;
const $ = (id) => document.getElementById(id);

const state = {
  socket: null,
  token: "",
  conversationId: null,
  turn: null, // { id, seq, bubble, text, reasoning }
  pending: new Map(), // request_id -> callback
  nextRequest: 1,
  models: [],
};

function setStatus(text) {
  $("status").textContent = text;
}

function send(message) {
  state.socket.send(JSON.stringify({ v: VERSION, ...message }));
}

function request(message) {
  const requestId = `web-${state.nextRequest++}`;
  return new Promise((resolve) => {
    state.pending.set(requestId, resolve);
    send({ ...message, request_id: requestId });
  });
}

function usd(text) {
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  return n >= 0.01 || n === 0 ? `$${n.toFixed(2)}` : `$${n.toPrecision(2)}`;
}

// ── Connecting ──────────────────────────────────────────────────────────

function connect(token) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  // Browsers cannot set an Authorization header on a WebSocket: the token
  // travels as the subprotocol `bearer.<token>` beside `valechat.v1`.
  const socket = new WebSocket(`${scheme}//${location.host}/v1/ws`, [`valechat.v${VERSION}`, `bearer.${token}`]);
  state.socket = socket;
  state.token = token;
  setStatus("Connecting…");
  socket.addEventListener("open", onOpen);
  socket.addEventListener("message", (event) => onMessage(JSON.parse(event.data)));
  socket.addEventListener("close", (event) => onClose(event));
}

async function onOpen() {
  setStatus("Connected");
  $("connect").hidden = true;
  $("chat").hidden = false;
  send({ type: "hello", client: { name: "web", version: "1" } });
  if (state.turn) {
    // Reconnected during a reply: ask for what was missed.
    send({ type: "resume", turn_id: state.turn.id, last_seq: state.turn.seq });
  }
  const [models, conversations] = await Promise.all([
    request({ type: "list_models" }),
    request({ type: "list_conversations", limit: 50 }),
  ]);
  showModels(models.models || []);
  showConversations(conversations.conversations || []);
}

function onClose(event) {
  state.socket = null;
  if ($("chat").hidden) {
    const error = $("connect-error");
    error.hidden = false;
    error.textContent = event.code === 1006 || event.code === 1002
      ? "Could not connect: check the token and that the server is on."
      : `The server closed the connection (${event.code}${event.reason ? `: ${event.reason}` : ""}).`;
    setStatus("Not connected");
    return;
  }
  setStatus("Disconnected — reconnecting…");
  setTimeout(() => connect(state.token), 2000);
}

// ── Server messages ─────────────────────────────────────────────────────

function onMessage(message) {
  if (message.request_id && state.pending.has(message.request_id) && message.type !== "turn_started") {
    const resolve = state.pending.get(message.request_id);
    state.pending.delete(message.request_id);
    resolve(message);
    return;
  }
  if (message.turn_id && state.turn && message.turn_id === state.turn.id && message.seq) {
    if (message.seq <= state.turn.seq) return; // already shown
    state.turn.seq = message.seq;
  }
  switch (message.type) {
    case "turn_started": return turnStarted(message);
    case "text_delta": return appendReply("text", message.text);
    case "reasoning_delta": return appendReply("reasoning", message.text);
    case "tool_call_proposed": return proposeToolCall(message);
    case "tool_call_finished": return toolCallFinished(message);
    case "usage": return showUsage(message);
    case "limit_alert": return setStatus(message.alerts.map((a) => `${a.limit}: ${a.threshold_percent} %`).join(", "));
    case "finished": return endTurn(null);
    case "failed": return endTurn(message.error ? message.error.message : "The reply failed.");
    case "error": return showError(message);
    case "dropped": return setStatus(`Dropped by the server: ${message.reason || "too slow"}`);
    default: return undefined;
  }
}

function showError(message) {
  if (message.request_id && state.pending.has(message.request_id)) {
    const resolve = state.pending.get(message.request_id);
    state.pending.delete(message.request_id);
    resolve(message);
  }
  setStatus(message.message || "The server refused a message.");
  if (state.turn && !state.turn.id) endTurn(message.message);
}

// ── Models and conversations ────────────────────────────────────────────

function showModels(models) {
  state.models = models;
  const select = $("model");
  select.replaceChildren(...models.map((m) => {
    const option = document.createElement("option");
    option.value = `${m.provider}/${m.id}`;
    option.textContent = `${m.provider_name || m.provider} · ${m.name || m.id}`;
    return option;
  }));
  select.disabled = models.length === 0;
  if (models.length === 0) setStatus("Connected — no models: add a provider in ValeChat");
}

function showConversations(conversations) {
  $("conversations").replaceChildren(...conversations.map((c) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = c.title || "New Chat";
    button.setAttribute("aria-current", String(c.id === state.conversationId));
    button.addEventListener("click", () => openConversation(c.id));
    item.append(button);
    return item;
  }));
}

async function openConversation(id) {
  const answer = await request({ type: "get_conversation", conversation_id: id });
  if (answer.type !== "conversation") return;
  state.conversationId = id;
  $("messages").replaceChildren();
  for (const m of answer.messages) {
    const bubble = addBubble(m.role, m.content);
    if (m.usage) meta(bubble).textContent = `${usd(m.usage.cost_usd)} · ${m.usage.input_tokens + m.usage.output_tokens} tokens`;
  }
  refreshConversations();
}

async function refreshConversations() {
  const answer = await request({ type: "list_conversations", limit: 50 });
  showConversations(answer.conversations || []);
}

// ── Messages ────────────────────────────────────────────────────────────

function addBubble(role, text) {
  const item = document.createElement("li");
  item.className = `message ${role}`;
  const body = document.createElement("div");
  body.className = "text";
  body.textContent = text || "";
  item.append(body);
  $("messages").append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

function meta(bubble) {
  let line = bubble.querySelector(".meta");
  if (!line) {
    line = document.createElement("div");
    line.className = "meta";
    bubble.append(line);
  }
  return line;
}

function sendMessage(text) {
  addBubble("user", text);
  const bubble = addBubble("assistant", "");
  state.turn = { id: null, seq: 0, bubble, text: "", reasoning: "" };
  const message = { type: "send", request_id: `web-${state.nextRequest++}`, text };
  if (state.conversationId) {
    message.conversation_id = state.conversationId;
  } else {
    const [provider, ...model] = $("model").value.split("/");
    message.new = { provider, model: model.join("/") };
  }
  send(message);
  $("send").hidden = true;
  $("stop").hidden = false;
}

function turnStarted(message) {
  if (!state.turn) return;
  state.turn.id = message.turn_id;
  if (!state.conversationId) {
    state.conversationId = message.conversation_id;
    refreshConversations();
  }
}

function appendReply(kind, piece) {
  if (!state.turn) return;
  const bubble = state.turn.bubble;
  if (kind === "text") {
    state.turn.text += piece;
    bubble.querySelector(".text").textContent = state.turn.text;
  } else {
    state.turn.reasoning += piece;
    let line = bubble.querySelector(".reasoning");
    if (!line) {
      line = document.createElement("div");
      line.className = "reasoning";
      bubble.prepend(line);
    }
    line.textContent = state.turn.reasoning;
  }
  bubble.scrollIntoView({ block: "end" });
}

function proposeToolCall(message) {
  if (!state.turn) return;
  const card = document.createElement("div");
  card.className = "tool-call";
  card.dataset.toolCallId = String(message.tool_call_id);
  const title = document.createElement("strong");
  title.textContent = `Run ${message.tool || message.name}${message.server ? ` (${message.server})` : ""}?`;
  const args = document.createElement("pre");
  args.textContent = JSON.stringify(message.arguments, null, 2);
  const actions = document.createElement("div");
  actions.className = "actions";
  const allow = document.createElement("button");
  allow.type = "button";
  allow.className = "suggested";
  allow.textContent = "Allow";
  const deny = document.createElement("button");
  deny.type = "button";
  deny.textContent = "Deny";
  const answer = (type) => {
    send({ type, turn_id: state.turn.id, tool_call_id: message.tool_call_id });
    actions.replaceChildren(document.createTextNode(type === "approve" ? "Allowed" : "Denied"));
  };
  allow.addEventListener("click", () => answer("approve"));
  deny.addEventListener("click", () => answer("deny"));
  actions.append(allow, deny);
  card.append(title, args, actions);
  state.turn.bubble.append(card);
}

function toolCallFinished(message) {
  if (!state.turn) return;
  const card = state.turn.bubble.querySelector(`.tool-call[data-tool-call-id="${message.tool_call_id}"]`);
  if (card) {
    const result = document.createElement("pre");
    result.textContent = typeof message.result === "string" ? message.result : JSON.stringify(message.result);
    card.append(result);
  }
}

function showUsage(message) {
  if (!state.turn) return;
  // A turn with tool calls makes several requests: the reply costs their sum.
  state.turn.cost = (state.turn.cost || 0) + Number(message.cost_usd);
  state.turn.tokens = (state.turn.tokens || 0) + message.input_tokens + message.output_tokens;
  meta(state.turn.bubble).textContent = `${usd(String(state.turn.cost))} · ${state.turn.tokens} tokens · ${message.model}`;
}

function endTurn(error) {
  if (state.turn && error) {
    state.turn.bubble.classList.add("failed");
    meta(state.turn.bubble).textContent = error;
  }
  state.turn = null;
  $("send").hidden = false;
  $("stop").hidden = true;
}

// ── Wiring ──────────────────────────────────────────────────────────────

$("connect").addEventListener("submit", (event) => {
  event.preventDefault();
  $("connect-error").hidden = true;
  connect($("token").value.trim());
});

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("message").value.trim();
  if (!text || state.turn || !state.socket) return;
  $("message").value = "";
  sendMessage(text);
});

$("message").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

$("stop").addEventListener("click", () => {
  if (state.turn && state.turn.id) send({ type: "cancel", turn_id: state.turn.id });
});

$("new-chat").addEventListener("click", () => {
  state.conversationId = null;
  $("messages").replaceChildren();
  refreshConversations();
});
