/* The Content health tab, in plain words: whether the content files load, how often the
   bot reads a message right ("100 条里认对 93 条"), which topics it reads worst and which it
   mixes up, how often it gives the right specific answer, and the rules each topic rests on.
   Data: GET /admin/api/health. */
(function () {
  "use strict";

  const CONFIDENCE = { V: "已对照原文核实", S: "已对照可靠来源核实", U: "未核实" };

  function usedBy(use) {
    return use === "advice" ? "话题的做法" : "具体回答 " + use;
  }

  function per100(x) {
    return Math.round(Number(x) * 100);
  }

  function checkCard(ctx, check, serving) {
    const card = ctx.el("div", { class: "card", id: "health-check" }, ctx.el("h2", { text: "内容文件检查" }));
    if (check.ok) {
      card.append(
        ctx.el("p", { class: "good", text:
          "内容文件没有问题：" + check.intents + " 个话题，" + check.examples + " 种问法，" +
          check.facts + " 条规定，" + check.dictionary_words + " 个专用词（版本 " + check.version + "）。" })
      );
      if (check.version !== serving) {
        card.append(ctx.el("p", { class: "problem", text:
          "机器人正在用的还是版本 " + serving + "：文件里的版本 " + check.version + " 改过，但还没重新加载。" }));
      }
    } else {
      card.append(
        ctx.el("p", { class: "problem", text:
          "内容文件有 " + check.problems.length + " 个问题，修好以前不会重新加载（机器人仍在用版本 " + serving + "）：" }),
        ctx.el("ul", { class: "problems" }, check.problems.map((p) => ctx.el("li", { text: p })))
      );
    }
    return card;
  }

  function evalCard(ctx, scores) {
    const card = ctx.el("div", { class: "card", id: "health-eval" },
      ctx.el("h2", { text: "机器人认得准不准" }),
      ctx.el("p", { class: "muted", text: "用 " + scores.total + " 条已经标好话题的真实说法检查（" + scores.test_set + "）。" }));
    const sure = (x) => per100(x) + " 次";
    card.append(
      ctx.el("dl", { class: "stats" },
        ctx.el("div", {}, ctx.el("dt", { text: "认对话题" }), ctx.el("dd", { id: "eval-accuracy", text: ctx.outOf100(scores.accuracy, "认对") })),
        ctx.el("div", {}, ctx.el("dt", { text: "认错的" }), ctx.el("dd", { text: scores.misclassified + " 条（共 " + scores.total + " 条）" })),
        ctx.el("div", {}, ctx.el("dt", { text: "危险情况认出来的" }), ctx.el("dd", { text: scores.urgent.detected + " 条（共 " + scores.urgent.total + " 条）" }))),
      scores.direct
        ? ctx.el("p", { id: "direct-line", text:
            "具体问题：该给具体回答的 " + scores.direct.expected + " 条里答对 " + scores.direct.correct +
            " 条（" + ctx.outOf100(scores.direct.accuracy, "答对") + "）；该答没答 " + scores.direct.missed +
            " 条，答错 " + scores.direct.wrong + " 条；不该给具体回答的 " + scores.direct.general +
            " 条一般说法里，误给了 " + scores.direct.false_answers + " 条。" })
        : ctx.el("p", { class: "muted", text: "没有检查具体回答用的消息。" }),
      ctx.el("h3", { text: "每个话题（认得最差的在前）" }),
      ctx.el("p", { class: "muted", text: "“认出来”：真是这个话题的说法，100 条里认出几条；“说对了”：机器人说是这个话题时，100 次里对几次。" }),
      ctx.table(["话题", "认出来（100 条里）", "说对了（100 次里）", "检查用的说法"],
        scores.intents.map((r) => [r.title, per100(r.recall) + " 条", sure(r.precision), r.support + " 条"]),
        [1, 2, 3]),
      ctx.el("h3", { text: "最常认错的话题" }),
      scores.confused_pairs.length
        ? ctx.table(["本来是", "被当成了", "几条"],
            scores.confused_pairs.map((p) => [p.expected_title, p.predicted_title, p.count]),
            [2])
        : ctx.el("p", { class: "good", text: "没有认错的。" })
    );
    return card;
  }

  function factsCard(ctx, topics) {
    const card = ctx.el("div", { class: "card", id: "health-facts" }, ctx.el("h2", { text: "每个话题依据的规定" }));
    for (const topic of topics) {
      const body = topic.facts.length
        ? topic.facts.map((f) => ctx.el("div", { class: "fact" },
            ctx.el("div", { text: f.statement }),
            ctx.el("div", { class: "source", text: "依据：" + f.source + "（" + (CONFIDENCE[f.confidence] || f.confidence) +
              "，核对于 " + (f.checked || "?") + "；用在 " + f.used_by.map(usedBy).join("、") + "；编号 " + f.id + "）" })))
        : [ctx.el("p", { class: "muted", text: "没有引用规定。" })];
      card.append(ctx.el("details", {}, ctx.el("summary", { text: topic.title + "（" + topic.facts.length + " 条）" }), body));
    }
    return card;
  }

  async function render(panel, ctx) {
    panel.append(
      ctx.el("div", { class: "toolbar" },
        ctx.el("button", { type: "button", class: "quiet", text: "重新检查", onclick: () => ctx.refresh() }))
    );
    const status = ctx.el("p", { class: "loading", role: "status", text: "正在检查内容、运行评估……" });
    panel.append(status);
    const data = await ctx.api.get("health");
    status.remove();
    panel.append(checkCard(ctx, data.check, data.serving_version), evalCard(ctx, data.eval), factsCard(ctx, data.topics));
  }

  window.ConsoleApp.register("health", { render });
})();
