/* The Changes tab: every change made from the console (who, when, what, the accuracy before
   and after), newest first, each with an undo button until it is undone.
   Data: GET /admin/api/changes?before=…, POST /admin/api/undo. */
(function () {
  "use strict";

  const ACTIONS = {
    add_example: "添加例句",
    add_answer: "写新回答",
    off_topic: "标为无关",
    dismiss: "忽略",
    undo: "撤销",
  };

  function when(seconds) {
    const d = new Date(seconds * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function what(change) {
    const d = change.data;
    if (change.action === "add_example") {
      const target = d.answer ? "直接回答 " + d.answer + "（话题「" + (change.title || d.intent) + "」）" : "话题「" + (change.title || d.intent) + "」";
      return "把「" + d.text + "」加为" + target + "的例句（" + d.file + "）";
    }
    if (change.action === "add_answer") {
      return "在话题「" + (change.title || d.intent) + "」下写了新回答：问「" + d.text + "」，答「" + d.short + "」（" + d.file + "）";
    }
    if (change.action === "undo") {
      const target = d.text ? "：「" + d.text + "」" : "";
      return "撤销修改 #" + change.undoes + "（" + (ACTIONS[d.undone_action] || d.undone_action) + target + "）";
    }
    const group = d.group ? "「" + d.group.representative + "」（" + d.group.count + " 条）" : "";
    return ACTIONS[change.action] + group;
  }

  function accuracy(change) {
    const b = change.data.before;
    const a = change.data.after;
    if (!b || !a) return "";
    const per100 = (x) => Math.round(Number(x) * 100);
    return "认话题 100 条里认对 " + per100(b.topic) + " → " + per100(a.topic) + " 条；具体问题 100 条里答对 " +
      per100(b.direct) + " → " + per100(a.direct) + " 条" + (change.data.confirmed ? "（变差了，已确认）" : "");
  }

  async function render(panel, ctx) {
    const status = ctx.el("div", { role: "status", id: "changes-status" });
    const list = ctx.el("div", { id: "changes-list" });
    panel.append(
      ctx.el("div", { class: "toolbar" }, ctx.el("button", { type: "button", class: "quiet", text: "刷新", onclick: () => ctx.refresh() })),
      status,
      list
    );

    async function undo(change) {
      try {
        const result = await ctx.api.post("undo", { change: change.id });
        await ctx.refresh();
        const again = document.getElementById("changes-status");
        if (again) again.replaceChildren(ctx.el("p", { class: "good", text: "已撤销修改 #" + change.id + "（撤销记录 #" + result.undo.id + "）。" }));
      } catch (error) {
        status.replaceChildren(ctx.el("p", { class: "problem", role: "alert", text: error.message }));
      }
    }

    async function page(before) {
      const data = await ctx.api.get("changes" + (before ? "?before=" + before : ""));
      if (!data.changes.length && !before) {
        list.append(ctx.el("p", { class: "placeholder", text: "还没有任何修改。" }));
        return;
      }
      for (const change of data.changes) {
        const undone = change.undone_by ? ctx.el("span", { class: "muted undone", text: "已撤销（#" + change.undone_by + "）" }) : null;
        const canUndo = !change.undone_by && change.action !== "undo";
        list.append(
          ctx.el("article", { class: "card change", "data-id": change.id, "data-action": change.action },
            ctx.el("p", { class: "muted", text: "#" + change.id + " · " + when(change.at) + " · " + change.who }),
            ctx.el("p", { class: "what", text: what(change) }),
            accuracy(change) ? ctx.el("p", { class: "muted", text: "检查结果：" + accuracy(change) }) : null,
            ctx.el("div", { class: "actions" },
              canUndo ? ctx.el("button", { type: "button", class: "quiet undo", text: "撤销", onclick: () => undo(change) }) : null,
              undone))
        );
      }
      if (data.more) {
        const last = data.changes[data.changes.length - 1].id;
        const more = ctx.el("button", { type: "button", class: "quiet", text: "更早的修改", onclick: () => { more.remove(); page(last); } });
        list.append(more);
      }
    }

    await page(null);
  }

  window.ConsoleApp.register("changes", { render });
})();
