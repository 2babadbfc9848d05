/* The Safety tab (安全): the clear- and possible-danger turns, newest first, as they happen,
   for the counsellor on duty; each can be marked 已查看 (reviewed) or 误报 (false alarm),
   after one confirmation. The list refreshes itself every few seconds while the tab is shown.
   Data: GET /admin/api/safety?state=…, POST /admin/api/safety/mark {ref, state}. */
(function () {
  "use strict";

  const POLL_MS = 5000;
  const STATES = [
    ["all", "全部"],
    ["open", "待查看"],
    ["reviewed", "已查看"],
    ["false_alarm", "误报"],
  ];
  const MARKS = { reviewed: "已查看", false_alarm: "误报" };
  const PLATFORMS = {
    wechat: "微信",
    official: "公众号",
    qq: "QQ",
    http: "网页/接口",
    terminal: "终端",
  };
  let shownState = "all";

  function when(seconds) {
    const d = new Date(seconds * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function ensureStyles() {
    if (document.getElementById("safety-css")) return;
    document.head.append(
      Object.assign(document.createElement("link"), {
        id: "safety-css",
        rel: "stylesheet",
        href: "/admin/static/safety.css",
      })
    );
  }

  function render(panel, ctx) {
    ensureStyles();
    const seen = new Set();
    let first = true;
    let confirming = false;
    let busy = false;

    const filter = ctx.el(
      "select",
      { id: "safety-state", "aria-label": "显示哪些消息", onchange: () => { shownState = filter.value; poll(true); } },
      STATES.map(([value, label]) => ctx.el("option", { value, selected: value === shownState, text: label }))
    );
    const updated = ctx.el("span", { class: "muted", id: "safety-updated", text: "正在加载…" });
    const news = ctx.el("div", { role: "status", "aria-live": "polite", id: "safety-news" });
    const counts = ctx.el("p", { class: "muted", id: "safety-counts" });
    const list = ctx.el("div", { id: "safety-list" });
    panel.append(
      ctx.el("p", { class: "muted", text: "明确危险和可能危险的消息（已隐去号码、证件、姓名、地址），最新的在上面，每 " + POLL_MS / 1000 + " 秒自动刷新。值班时请逐条查看；判断是误报的，标为“误报”，以便以后改进。" }),
      ctx.el("div", { class: "toolbar" },
        ctx.el("label", {}, "显示：", filter),
        ctx.el("button", { type: "button", class: "quiet", text: "立即刷新", onclick: () => poll(true) }),
        updated),
      counts,
      news,
      list
    );

    function markLine(mark) {
      if (!mark) return ctx.el("p", { class: "mark open", text: "待查看" });
      return ctx.el("p", { class: "mark " + mark.state, text: mark.label + "（" + mark.who + "，" + when(mark.at) + "）" });
    }

    function card(turn, fresh) {
      const actions = ctx.el("div", { class: "actions" });
      const article = ctx.el("article", { class: "card safety-turn tier-" + turn.tier + (fresh ? " fresh" : ""), "data-ref": turn.ref },
        ctx.el("p", { class: "head" },
          ctx.el("span", { class: "tier", text: turn.tier_label }),
          fresh ? ctx.el("span", { class: "new", text: "新" }) : null,
          ctx.el("span", { class: "muted", text: when(turn.at) + " · " + (PLATFORMS[turn.platform] || turn.platform) + " · 会话 " + (turn.conversation || "（已删除）") })),
        ctx.el("blockquote", { class: "text", text: turn.text === null ? "（本人已要求删除记录，原文已清除）" : turn.text }),
        ctx.el("dl", { class: "facts" },
          ctx.el("dt", { text: "类型" }), ctx.el("dd", { text: turn.kind_label }),
          ctx.el("dt", { text: "依据" }), ctx.el("dd", { title: turn.rule, text: turn.rule_label })),
        markLine(turn.mark),
        actions);
      for (const [state, label] of Object.entries(MARKS)) {
        if (turn.mark && turn.mark.state === state) continue;
        actions.append(ctx.el("button", { type: "button", class: state === "false_alarm" ? "quiet mark-false_alarm" : "mark-reviewed", text: "标为" + label, onclick: () => ask(turn, state, actions) }));
      }
      return article;
    }

    function ask(turn, state, actions) {
      confirming = true;
      const buttons = Array.from(actions.children);
      buttons.forEach((b) => { b.hidden = true; });
      const question = ctx.el("div", { class: "confirm", role: "group" },
        ctx.el("p", { class: "confirm-question", text: "确定把这条标为“" + MARKS[state] + "”吗？" }),
        ctx.el("button", { type: "button", class: state === "false_alarm" ? "danger confirm-yes" : "confirm-yes", text: "确定", onclick: () => write(turn, state, question) }),
        ctx.el("button", { type: "button", class: "quiet confirm-no", text: "取消", onclick: () => {
          question.remove();
          buttons.forEach((b) => { b.hidden = false; });
          confirming = false;
        } }));
      actions.append(question);
      question.querySelector(".confirm-yes").focus();
    }

    async function write(turn, state, question) {
      question.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      try {
        await ctx.api.post("safety/mark", { ref: turn.ref, state });
        news.replaceChildren(ctx.el("p", { class: "good", text: "已标为“" + MARKS[state] + "”。" }));
      } catch (error) {
        news.replaceChildren(ctx.el("p", { class: "problem", role: "alert", text: error.message }));
      }
      confirming = false;
      await poll(true);
    }

    async function poll(force) {
      if (busy || (!force && (confirming || panel.hidden || document.hidden))) return;
      busy = true;
      try {
        const data = await ctx.api.get("safety?state=" + encodeURIComponent(shownState));
        if (confirming && !force) return;
        const fresh = data.turns.filter((t) => !seen.has(t.ref));
        counts.textContent = "待查看 " + data.counts.open + " 条 · 已查看 " + data.counts.reviewed + " 条 · 误报 " + data.counts.false_alarm + " 条（保留 " + data.retention_days + " 天）";
        if (!data.recording) {
          list.replaceChildren(ctx.el("p", { class: "placeholder", text: "没有记录消息（insights.enabled 为 false），所以这里没有内容。" }));
        } else if (!data.turns.length) {
          list.replaceChildren(ctx.el("p", { class: "placeholder", text: shownState === "all" ? "暂时没有危险或可能危险的消息。" : "没有这种状态的消息。" }));
        } else {
          list.replaceChildren(...data.turns.map((t) => card(t, !first && !seen.has(t.ref))));
        }
        if (!first && fresh.length) {
          news.replaceChildren(ctx.el("p", { class: "problem", text: "新来 " + fresh.length + " 条，请查看。" }));
        }
        data.turns.forEach((t) => seen.add(t.ref));
        first = false;
        updated.textContent = "更新于 " + when(data.now);
      } catch (error) {
        updated.textContent = "刷新失败：" + error.message;
      } finally {
        busy = false;
      }
    }

    panel.safetyTimer = window.setInterval(() => poll(false), POLL_MS);
    return poll(true);
  }

  function destroy(panel) {
    if (panel.safetyTimer) window.clearInterval(panel.safetyTimer);
    panel.safetyTimer = null;
  }

  window.ConsoleApp.register("safety", { render, destroy });
})();
