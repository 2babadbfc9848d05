/* The Inbox tab: what the bot could not answer (or answered with little confidence), grouped
   by similarity, with the bot's guesses. A group's text can be added as an example of an
   intent or of a direct answer (the guesses first, every intent and answer selectable), with
   the accuracy before and after; or marked off-topic, or dismissed.
   Data: GET /admin/api/inbox?state=…, POST teach / off_topic / dismiss. */
(function () {
  "use strict";

  const STATES = [
    ["open", "待处理"],
    ["taught", "已教会"],
    ["off_topic", "无关"],
    ["dismissed", "已忽略"],
  ];
  let shownState = "open";

  function when(seconds) {
    const d = new Date(seconds * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function ensureStyles() {
    if (document.getElementById("inbox-css")) return;
    document.head.append(
      Object.assign(document.createElement("link"), {
        id: "inbox-css",
        rel: "stylesheet",
        href: "/admin/static/inbox.css",
      })
    );
  }

  /* "话题「标题」" or "直接回答「…」" for a target. */
  function targetLabel(catalogue, intent, answer) {
    if (answer) {
      const found = catalogue.answers.find((a) => a.id === answer);
      return "直接回答「" + (found ? found.label : answer) + "」";
    }
    const found = catalogue.intents.find((i) => i.id === intent);
    return "话题「" + (found ? found.title : intent) + "」";
  }

  function per100(x) {
    return String(Math.round(Number(x) * 100));
  }

  /* The labelled sets before and after, in plain words ("100 条里认对 93 → 93 条"). */
  function accuracyLine(ctx, result) {
    const b = result.before;
    const a = result.after;
    return ctx.el("p", { class: "accuracy" },
      "检查结果（用标好答案的消息）：认话题 100 条里认对 ",
      ctx.el("span", { class: "acc-topic-before", text: per100(b.topic) }), " → ",
      ctx.el("span", { class: "acc-topic-after" + (a.topic < b.topic ? " problem" : ""), text: per100(a.topic) }),
      " 条；具体问题 100 条里答对 ",
      ctx.el("span", { class: "acc-direct-before", text: per100(b.direct) }), " → ",
      ctx.el("span", { class: "acc-direct-after" + (a.direct < b.direct ? " problem" : ""), text: per100(a.direct) }),
      " 条。");
  }

  function readingLine(ctx, result, catalogue) {
    const r = result.reading;
    if (!r) return null;
    if (r.answered) {
      return ctx.el("p", { class: "good reading", text: "以后这句话会得到" + targetLabel(catalogue, result.intent, result.answer) + "的回答。" });
    }
    if (result.learns_later) {
      return ctx.el("p", { class: "problem reading learns-later", text:
        "话题的问法要等机器人在后台重新学习（几分钟）后才生效；现在它还把这句话当成" +
        targetLabel(catalogue, r.intent, null) + "（把握 " + per100(r.score) + " 分，满分 100）。" +
        "想让它马上答上，可以到“写新回答”里写一个具体回答。" });
    }
    return ctx.el("p", { class: "problem reading", text:
      "机器人还不会这样回答这句话（它最可能当成" + targetLabel(catalogue, r.intent, null) +
      "，把握 " + per100(r.score) + " 分，满分 100）。可以再添加几种说法，或到“写新回答”里写一个新回答。" });
  }

  function groupCard(ctx, group, catalogue, redraw) {
    const card = ctx.el("article", { class: "card inbox-group", "data-signature": group.signature });
    const status = ctx.el("div", { class: "teach-result", role: "status" });
    const input = ctx.el("input", {
      type: "text",
      class: "example-text",
      value: group.representative,
      maxlength: "200",
      "aria-label": "要添加的例句（可以先修改）",
    });

    const kinds = [];
    if (group.fallback) kinds.push("没答上 " + group.fallback);
    if (group.clarify) kinds.push("反问 " + group.clarify);
    if (group.low_confidence) kinds.push("没把握 " + group.low_confidence);
    card.append(
      ctx.el("h3", { class: "representative", text: group.representative }),
      ctx.el("p", { class: "muted meta", text:
        "共 " + group.count + " 条（" + kinds.join("，") + "）· 最早 " + when(group.first_seen) + " · 最近 " + when(group.last_seen) })
    );
    if (group.members.length > 1) {
      card.append(ctx.el("details", { class: "members" },
        ctx.el("summary", { text: group.distinct + " 种说法" }),
        ctx.el("ul", {}, group.members.map((m) => ctx.el("li", { text: m.text + (m.count > 1 ? "（×" + m.count + "）" : "") })))));
    }
    if (group.decided) {
      const what = STATES.find((s) => s[0] === group.decided.state);
      card.append(ctx.el("p", { class: "muted decided", text:
        (what ? what[1] : group.state) + (group.decided.detail ? "：" + group.decided.detail : "") + "（" + group.decided.who + "，" + when(group.decided.at) + "）" }));
    }

    /* First ask: nothing is written before the counsellor confirms what and where. */
    function ask(intent, answer) {
      const text = input.value.trim();
      if (!text) {
        status.replaceChildren(ctx.el("p", { class: "problem", role: "alert", text: "要添加的问法是空的。" }));
        return;
      }
      status.replaceChildren(
        ctx.el("p", { class: "confirm-add", text: "要把「" + text + "」添加为" + targetLabel(catalogue, intent, answer) + "的一种问法吗？确认后会写入内容文件（可以在“修改记录”里撤销）。" }),
        ctx.el("div", { class: "actions" },
          ctx.el("button", { type: "button", text: "确认添加", onclick: () => teach(intent, answer, false) }),
          ctx.el("button", { type: "button", class: "quiet", text: "取消", onclick: () => status.replaceChildren() })));
    }

    async function teach(intent, answer, confirm) {
      status.replaceChildren(ctx.el("p", { class: "loading", text: "正在检查并评估……" }));
      let result;
      try {
        result = await ctx.api.post("teach", { text: input.value, intent, answer, group: group.signature, confirm });
      } catch (error) {
        status.replaceChildren(ctx.el("p", { class: "problem", role: "alert", text: error.message }));
        return;
      }
      const label = targetLabel(catalogue, intent, answer);
      if (result.status === "needs_confirmation") {
        status.replaceChildren(
          ctx.el("p", { class: "problem confirm-question", text: "添加到" + label + "以后，机器人在已有的问题上会出更多错，仍要添加吗？" }),
          accuracyLine(ctx, result),
          ctx.el("div", { class: "actions" },
            ctx.el("button", { type: "button", class: "danger", text: "仍然添加", onclick: () => teach(intent, answer, true) }),
            ctx.el("button", { type: "button", class: "quiet", text: "取消", onclick: () => status.replaceChildren() })));
        return;
      }
      status.replaceChildren(
        ctx.el("p", { class: "good taught", text: "已添加为" + label + "的一种问法（修改 #" + result.change + "）。" }),
        accuracyLine(ctx, result),
        readingLine(ctx, result, catalogue),
        ctx.el("button", { type: "button", class: "quiet", text: "刷新列表", onclick: redraw }));
    }

    async function decide(kind) {
      try {
        await ctx.api.post(kind, { group: group.signature, text: group.representative });
      } catch (error) {
        status.replaceChildren(ctx.el("p", { class: "problem", role: "alert", text: error.message }));
        return;
      }
      redraw();
    }

    // the bot's guesses first
    const guesses = group.guesses.map((g) =>
      ctx.el("button", {
        type: "button",
        class: "guess",
        "data-intent": g.intent,
        "data-answer": g.kind === "answer" ? g.id : null,
        text: (g.kind === "answer" ? "直接回答：" + g.label : g.label) + "（把握 " + per100(g.score) + " 分）",
        onclick: () => ask(g.intent, g.kind === "answer" ? g.id : null),
      })
    );
    // every intent and direct answer
    const select = ctx.el("select", { class: "all-targets", "aria-label": "其他话题或直接回答" },
      ctx.el("option", { value: "", text: "其他话题或直接回答……" }),
      ctx.el("optgroup", { label: "话题" }, catalogue.intents.map((i) => ctx.el("option", { value: "intent:" + i.id, text: i.title + "（" + i.id + "）" }))),
      catalogue.intents
        .filter((i) => catalogue.answers.some((a) => a.intent === i.id))
        .map((i) => ctx.el("optgroup", { label: "直接回答 · " + i.title },
          catalogue.answers.filter((a) => a.intent === i.id).map((a) => ctx.el("option", { value: "answer:" + a.intent + ":" + a.id, text: a.label })))));
    const addChosen = ctx.el("button", {
      type: "button",
      class: "add-chosen",
      text: "添加",
      onclick: () => {
        const value = select.value;
        if (!value) {
          status.replaceChildren(ctx.el("p", { class: "problem", role: "alert", text: "请先选择话题或直接回答。" }));
          return;
        }
        const parts = value.split(":");
        if (parts[0] === "intent") ask(parts[1], null);
        else ask(parts[1], parts[2]);
      },
    });

    const teachBox = ctx.el("div", { class: "teach" },
      ctx.el("label", { class: "muted" }, "添加为例句（可以先修改文字）：", input),
      guesses.length ? ctx.el("div", { class: "guesses" }, ctx.el("span", { class: "muted", text: "机器人的猜测：" }), guesses) : null,
      ctx.el("div", { class: "choose" }, select, addChosen));
    const others = ctx.el("div", { class: "actions" });
    if (group.state !== "off_topic") {
      others.append(ctx.el("button", { type: "button", class: "quiet off-topic", text: "无关（不属于本助手）", onclick: () => decide("off_topic") }));
    }
    if (group.state !== "dismissed") {
      others.append(ctx.el("button", { type: "button", class: "quiet dismiss", text: "忽略", onclick: () => decide("dismiss") }));
    }
    card.append(teachBox, others, status);
    return card;
  }

  async function render(panel, ctx) {
    ensureStyles();
    const list = ctx.el("div", { id: "inbox-list" });
    const select = ctx.el("select", { id: "inbox-state", "aria-label": "显示哪些消息" });
    const summary = ctx.el("span", { class: "muted", id: "inbox-counts" });
    panel.append(
      ctx.el("div", { class: "toolbar" }, select,
        ctx.el("button", { type: "button", class: "quiet", text: "刷新", onclick: () => ctx.refresh() }), summary),
      list
    );
    const data = await ctx.api.get("inbox?state=" + encodeURIComponent(shownState));
    for (const [value, label] of STATES) {
      select.append(ctx.el("option", { value, text: label + "（" + data.counts[value] + "）", selected: value === shownState }));
    }
    select.addEventListener("change", () => {
      shownState = select.value;
      ctx.refresh();
    });
    if (!data.recording) {
      list.append(ctx.el("p", { class: "placeholder", text: "没有记录消息（insights.enabled 关闭），收件箱是空的。" }));
      return;
    }
    if (!data.keeps_text) {
      list.append(ctx.el("p", { class: "muted", text: "注意：insights.keep_unanswered_text 关闭，没有保存消息原文。" }));
    }
    summary.textContent = data.groups.length + " 组" + (data.more ? "（另有 " + data.more + " 组未显示）" : "");
    if (!data.groups.length) {
      list.append(ctx.el("p", { class: "placeholder", id: "inbox-empty", text: "这里没有消息。" }));
      return;
    }
    for (const group of data.groups) {
      list.append(groupCard(ctx, group, data.catalogue, () => ctx.refresh()));
    }
  }

  window.ConsoleApp.register("inbox", { render });
})();
