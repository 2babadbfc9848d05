/* The counsellors' console page: the tabs, the API client and the section registry.

   A section (a tab) is declared on the server (Console.section in bot/console/web.py) and
   drawn by its own script in this folder, which calls

     ConsoleApp.register("inbox", {
       async render(panel, ctx) { ... }   // draw into panel (a <section>); ctx below
     });

   ctx.api.get("name") / ctx.api.post("name", body) call /admin/api/name (POST carries the
   CSRF token; a 401 sends the browser to the login page; an error rejects with an Error
   whose .message is the server's Chinese sentence). ctx.el(tag, attrs, ...children) builds
   elements (text only, never HTML), ctx.table(headers, rows, numeric) a table,
   ctx.outOf100(0.93, "认对") a share in plain words ("100 条里认对 93 条"),
   ctx.refresh() draws the section again, ctx.invalidate("health") has another section drawn
   again when next shown, ctx.who is the counsellor's name. An optional destroy(panel) is
   called before a redraw (e.g. to destroy Chart.js charts). CSS classes ready to use (see
   admin.css): card, toolbar, stats (a <dl>), muted, good, problem, placeholder.
   A tab whose section registers nothing shows "尚未启用". Plain JS, no build step. */
(function () {
  "use strict";

  const API = "/admin/api/";
  const registry = new Map();
  const state = { csrf: "", csrfHeader: "X-CSRF-Token", who: "", sections: [], shown: null };

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET" && method !== "HEAD") {
      headers[state.csrfHeader] = state.csrf;
    }
    const init = { method, headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const url = path.startsWith("/") ? path : API + path;
    const response = await fetch(url, init);
    if (response.status === 401) {
      window.location.assign("/admin/login");
      throw new ApiError(401, "not_logged_in", "登录已过期，请重新登录。");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(
        response.status,
        error.code || "http_error",
        error.message || "请求失败（" + response.status + "），请稍后再试。"
      );
    }
    return data;
  }

  const api = {
    get: (path) => request("GET", path),
    post: (path, body) => request("POST", path, body === undefined ? {} : body),
  };

  /* el("p", {class: "x", text: "…", title: "…"}, child, "text", …): never parses HTML. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = String(value);
      else if (name === "class") node.className = value;
      else if (name.startsWith("on") && typeof value === "function") {
        node.addEventListener(name.slice(2), value);
      } else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /* A share in plain words: outOf100(0.934, "认对") → "100 条里认对 93 条". */
  function outOf100(share, verb) {
    return "100 条里" + verb + " " + Math.round(Number(share) * 100) + " 条";
  }

  /* A table: headers (strings), rows (arrays of cells), numeric (indexes right-aligned). */
  function table(headers, rows, numeric) {
    const right = new Set(numeric || []);
    const cell = (tag, value, i) => el(tag, { class: right.has(i) ? "num" : null }, value);
    return el(
      "div",
      { class: "table-wrap" },
      el(
        "table",
        {},
        el("thead", {}, el("tr", {}, headers.map((h, i) => cell("th", h, i)))),
        el("tbody", {}, rows.map((row) => el("tr", {}, row.map((v, i) => cell("td", v, i)))))
      )
    );
  }

  function percent(rate) {
    return (rate * 100).toFixed(1) + "%";
  }

  function register(id, definition) {
    if (!definition || typeof definition.render !== "function") {
      throw new Error("ConsoleApp.register(" + id + "): a section needs render(panel, ctx)");
    }
    registry.set(id, definition);
  }

  function panelOf(id) {
    return document.getElementById("panel-" + id);
  }

  async function draw(id) {
    const panel = panelOf(id);
    const definition = registry.get(id);
    if (definition && typeof definition.destroy === "function") {
      try {
        definition.destroy(panel);
      } catch (_) {
        /* a section that cannot clean up is drawn again anyway */
      }
    }
    panel.replaceChildren();
    panel.dataset.drawn = "1";
    if (!definition) {
      const section = state.sections.find((s) => s.id === id);
      panel.append(el("p", { class: "placeholder", text: (section ? section.title : id) + "：尚未启用" }));
      return;
    }
    const ctx = { api, el, table, percent, outOf100, who: state.who, refresh: () => draw(id), invalidate };
    panel.setAttribute("aria-busy", "true");
    try {
      await definition.render(panel, ctx);
    } catch (error) {
      panel.append(el("p", { class: "problem", role: "alert", text: "出错了：" + error.message }));
    } finally {
      panel.removeAttribute("aria-busy");
    }
  }

  /* Mark a section stale (e.g. the Overview after the content changed): it is drawn
     again when next shown, or now when it is the one shown. */
  function invalidate(id) {
    const panel = panelOf(id);
    if (!panel) return;
    delete panel.dataset.drawn;
    if (state.shown === id) draw(id);
  }

  function show(id) {
    if (!state.sections.some((s) => s.id === id)) id = state.sections[0].id;
    state.shown = id;
    for (const section of state.sections) {
      const selected = section.id === id;
      const tab = document.getElementById("tab-" + section.id);
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      panelOf(section.id).hidden = !selected;
    }
    if (window.location.hash !== "#" + id) history.replaceState(null, "", "#" + id);
    if (!panelOf(id).dataset.drawn) draw(id);
  }

  function loadScript(name) {
    return new Promise((resolve) => {
      const script = el("script", { src: "/admin/static/" + name });
      script.addEventListener("load", resolve);
      script.addEventListener("error", () => {
        console.error("console: could not load " + name);
        resolve();
      });
      document.head.append(script);
    });
  }

  function buildTabs() {
    const tabs = document.getElementById("tabs");
    const panels = document.getElementById("panels");
    panels.replaceChildren();
    for (const section of state.sections) {
      tabs.append(
        el("button", {
          type: "button",
          role: "tab",
          id: "tab-" + section.id,
          "aria-controls": "panel-" + section.id,
          text: section.title,
          onclick: () => show(section.id),
        })
      );
      panels.append(
        el("section", {
          class: "panel",
          id: "panel-" + section.id,
          role: "tabpanel",
          "aria-labelledby": "tab-" + section.id,
          hidden: true,
        })
      );
    }
    tabs.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      const ids = state.sections.map((s) => s.id);
      const step = event.key === "ArrowRight" ? 1 : -1;
      const next = ids[(ids.indexOf(state.shown) + step + ids.length) % ids.length];
      show(next);
      document.getElementById("tab-" + next).focus();
    });
  }

  async function logout() {
    try {
      await request("POST", "/admin/logout", {});
    } finally {
      window.location.assign("/admin/login");
    }
  }

  async function boot() {
    const status = document.getElementById("boot-status");
    let session;
    try {
      session = await api.get("session");
    } catch (error) {
      status.textContent = "加载失败：" + error.message;
      return;
    }
    state.csrf = session.csrf;
    state.csrfHeader = session.csrf_header || state.csrfHeader;
    state.who = session.who;
    state.sections = session.sections;
    document.getElementById("who").textContent = session.who;
    document.getElementById("logout").addEventListener("click", logout);
    await Promise.all(state.sections.filter((s) => s.script).map((s) => loadScript(s.script)));
    buildTabs();
    show(window.location.hash.slice(1));
    window.addEventListener("hashchange", () => show(window.location.hash.slice(1)));
  }

  window.ConsoleApp = { register, invalidate, api, el, table, percent, ApiError };
  document.addEventListener("DOMContentLoaded", boot);
})();
