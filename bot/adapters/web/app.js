// The chat page: sends what the person types to POST v1/messages and shows the replies.
// No libraries, no build step. The conversation id (random) and the access token, when the
// server needs one, are kept in sessionStorage: they survive a reload but go when the tab is
// closed (a shared phone or computer keeps neither). The conversation itself is not stored.
// On a public page (platforms.http.public_page) there is no token: the server gives each
// visitor an id of its own in an HttpOnly cookie, which this script never sees; when it is
// missing or expired the server says "visitor_needed" and the page asks for a new one.
"use strict";

(function () {
  const KEYS = { conversation: "cuishou.conversation", token: "cuishou.token" };
  // Numbers worth one tap: police, ambulance, crisis line, legal aid, complaints.
  // Every number the replies give: emergencies, the crisis lines, the anti-fraud line (96110),
  // the court (12368), consumer (12315), legal aid (12348) and regulators' lines.
  const PHONE = /(^|\D)(110|120|12356|12348|12378|12363|96110|12368|12315|010-82951332)(?!\d)/g;

  const $ = (id) => document.getElementById(id);
  const scroller = $("scroller");
  const log = $("log");
  const choicesBox = $("choices");
  const statusLine = $("status");
  const composer = $("composer");
  const input = $("text");
  const sendButton = $("send");
  const tokenForm = $("token-form");
  const tokenInput = $("token");
  const photoInput = $("photo");
  const photoButton = $("photo-button");
  const MAX_PHOTO_BYTES = 10 * 1024 * 1024; // the server's limit (bot/photo/intake.py)

  let busy = false;
  let unsent = null; // the message waiting for the access token

  function stored(key) {
    try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
  }

  function store(key, value) {
    try { window.sessionStorage.setItem(key, value); } catch (e) { /* private mode */ }
  }

  // Earlier versions of this page kept both in localStorage, for ever: remove them.
  try {
    window.localStorage.removeItem(KEYS.conversation);
    window.localStorage.removeItem(KEYS.token);
  } catch (e) { /* storage disabled */ }

  function randomId() {
    // crypto.getRandomValues works on plain http too (randomUUID needs a secure context).
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  let conversation = stored(KEYS.conversation);
  if (!conversation) {
    conversation = randomId();
    store(KEYS.conversation, conversation);
  }

  // Text with the phone numbers as tel: links, built from text nodes (never innerHTML).
  function fillText(element, text) {
    let last = 0;
    for (const match of text.matchAll(PHONE)) {
      const start = match.index + match[1].length;
      element.append(text.slice(last, start));
      const link = document.createElement("a");
      link.href = "tel:" + match[2].replace(/-/g, "");
      link.textContent = match[2];
      element.append(link);
      last = start + match[2].length;
    }
    element.append(text.slice(last));
  }

  function addMessage(who, text, urgent) {
    const item = document.createElement("li");
    item.className = "msg " + who + (urgent ? " urgent" : "");
    if (who === "me") {
      item.textContent = text;
    } else {
      fillText(item, text);
    }
    log.append(item);
    scroller.scrollTop = scroller.scrollHeight;
    return item;
  }

  // A choice is sent as its number when a reply lists it numbered ("1. 标签"), which is how
  // the bot offers menus and options; a yes/no question's choices are sent as the words.
  function choiceMessage(index, label, replies) {
    const line = (index + 1) + ". " + label;
    const numbered = replies.some((reply) => reply.split("\n").some((l) => l.trim() === line));
    return numbered ? String(index + 1) : label;
  }

  function showChoices(choices, replies) {
    choicesBox.replaceChildren();
    choices.forEach((label, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = (index + 1) + ". " + label;
      button.addEventListener("click", () => send(choiceMessage(index, label, replies), label));
      choicesBox.append(button);
    });
    choicesBox.hidden = choices.length === 0;
    scroller.scrollTop = scroller.scrollHeight;
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    photoInput.disabled = value;
    photoButton.classList.toggle("busy", value);
    for (const button of choicesBox.querySelectorAll("button")) button.disabled = value;
    statusLine.textContent = value ? "正在回复…" : "";
  }

  function problem(text) {
    addMessage("system", text + "\n遇到威胁或有人不肯走，请立即拨打110。");
  }

  function askForToken(text, shown) {
    unsent = { text: text, shown: shown };
    composer.hidden = true;
    tokenForm.hidden = false;
    tokenInput.focus();
  }

  // A public page's visitor id (an HttpOnly cookie the server sets); true when it came.
  async function newVisitorId() {
    try {
      const response = await fetch("v1/visitor", { method: "POST", credentials: "same-origin" });
      return response.ok;
    } catch (e) {
      return false;
    }
  }

  // Post a text (JSON) or a photo (multipart) and show the replies. `photo` is a File.
  async function post(body, contentType, retry) {
    const headers = {};
    if (contentType) headers["Content-Type"] = contentType;
    const token = stored(KEYS.token);
    if (token) headers.Authorization = "Bearer " + token;
    let response;
    let reply = null;
    try {
      const request = { method: "POST", headers: headers, body: body, credentials: "same-origin" };
      response = await fetch("v1/messages", request);
      reply = await response.json().catch(() => null);
      const code = reply && reply.error ? reply.error.code : null;
      if (response.status === 401 && code === "visitor_needed" && await newVisitorId()) {
        response = await fetch("v1/messages", request); // once, with the new id
        reply = await response.json().catch(() => null);
      }
    } catch (e) {
      setBusy(false);
      problem("网络连接失败，消息没有发出去。请检查网络后再发一次。");
      retry.failed();
      return;
    }
    setBusy(false);
    if (response.status === 401 && reply && reply.error && reply.error.code === "visitor_needed") {
      problem("这个网页要用 Cookie 记住你的对话，浏览器没有保存它。请在浏览器设置里允许 Cookie 后刷新页面。");
      retry.failed();
      return;
    }
    if (response.status === 401) {
      log.lastElementChild.remove();
      if (token) problem("访问口令不对，请重新输入。");
      retry.unauthorized();
      return;
    }
    if (!response.ok || !reply || !Array.isArray(reply.replies)) {
      const tooLarge = response.status === 413;
      const tooFast = response.status === 429;
      problem(tooLarge ? retry.tooLarge : tooFast ? "发得太快了，请等一分钟再发。"
        : "出了点问题，没有收到回复，请再发一次。");
      if (!tooLarge) retry.failed();
      return;
    }
    for (const text of reply.replies) addMessage("bot", text, reply.urgent);
    showChoices(Array.isArray(reply.choices) ? reply.choices : [], reply.replies);
  }

  async function send(text, shown) {
    if (busy || !text.trim()) return;
    addMessage("me", shown || text);
    showChoices([], []);
    setBusy(true);
    await post(JSON.stringify({ conversation: conversation, user: "web", text: text }),
      "application/json", {
        tooLarge: "消息太长了，请分成几条发。",
        failed: () => { input.value = input.value || text; },
        unauthorized: () => askForToken(text, shown),
      });
  }

  // A phone photo (4000 px, several MB) is scaled down here before it goes up: quicker on a
  // slow connection, and the bot reads at most 1600 px anyway. What the browser cannot
  // decode goes up as it is, for the server to say what is wrong with it.
  const PHOTO_SIDE = 2000;
  async function shrink(file) {
    if (!window.createImageBitmap) return file;
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      const scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size <= 1024 * 1024) return file;
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      const context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // a transparent screenshot must not turn black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      const blob = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.9));
      return blob && blob.size < file.size ? blob : file;
    } catch (e) {
      return file;
    }
  }

  // A photo goes up as multipart; the bot reads it and says what is wrong with it.
  async function sendPhoto(file) {
    if (busy || !file) return;
    addMessage("me", "📷 照片");
    showChoices([], []);
    setBusy(true);
    statusLine.textContent = "正在看这张图片…";
    const photo = await shrink(file);
    if (photo.size > MAX_PHOTO_BYTES) {
      setBusy(false);
      problem("这张图片太大了（超过10MB），请截图或压缩后再发。");
      return;
    }
    const form = new FormData();
    form.append("conversation", conversation);
    form.append("user", "web");
    form.append("image", photo, photo === file ? (file.name || "photo.jpg") : "photo.jpg");
    await post(form, null, {
      tooLarge: "这张图片太大了（超过10MB），请截图或压缩后再发。",
      failed: () => {},
      unauthorized: () => askForToken("", ""),
    });
  }

  photoInput.addEventListener("change", () => {
    const file = photoInput.files && photoInput.files[0];
    photoInput.value = ""; // the same photo may be chosen again
    sendPhoto(file);
  });

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    if (busy || !text.trim()) return;
    input.value = "";
    send(text);
  });

  // Enter sends, Shift+Enter starts a new line; never while an input method is composing.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = tokenInput.value.trim();
    if (!token) return;
    store(KEYS.token, token);
    tokenInput.value = "";
    tokenForm.hidden = true;
    composer.hidden = false;
    const waiting = unsent;
    unsent = null;
    if (waiting && waiting.text) send(waiting.text, waiting.shown);
  });
})();
