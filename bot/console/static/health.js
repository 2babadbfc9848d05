/* The Content health tab: `check`'s findings, per-intent precision and recall from `eval`,
   the most confused pairs, the direct-answer accuracy and the facts each topic cites.
   Data: GET /admin/api/health. */
(function () {
  "use strict";

  function usedBy(use) {
    return use === "advice" ? "建议正文" : "直接回答 " + use;
  }

  function fixed(x) {
    return Number(x).toFixed(3);
  }

  function checkCard(ctx, check, serving) {
    const card = ctx.el("div", { class: "card", id: "health-check" }, ctx.el("h2", { text: "内容检查（python -m bot check）" }));
    if (check.ok) {
      card.append(
        ctx.el("p", { class: "good", text:
          "内容文件没有问题：" + check.intents + " 个意图，" + check.examples + " 个例句，" +
          check.facts + " 条事实，" + check.dictionary_words + " 个词典词（版本 " + check.version + "）。" })
      );
      if (check.version !== serving) {
        card.append(ctx.el("p", { class: "problem", text:
          "正在使用的是版本 " + serving + "，和文件里的版本 " + check.version + " 不同：文件改过但还没重新加载。" }));
      }
    } else {
      card.append(
        ctx.el("p", { class: "problem", text:
          "内容文件有 " + check.problems.length + " 个问题，修好以前不会重新加载（仍在用版本 " + serving + "）：" }),
        ctx.el("ul", { class: "problems" }, check.problems.map((p) => ctx.el("li", { text: p })))
      );
    }
    return card;
  }

  function evalCard(ctx, scores) {
    const card = ctx.el("div", { class: "card", id: "health-eval" }, ctx.el("h2", { text: "分类准确度（eval，" + scores.test_set + "）" }));
    card.append(
      ctx.el("dl", { class: "stats" },
        ctx.el("div", {}, ctx.el("dt", { text: "准确率" }), ctx.el("dd", { id: "eval-accuracy", text: fixed(scores.accuracy) })),
        ctx.el("div", {}, ctx.el("dt", { text: "标注消息" }), ctx.el("dd", { text: scores.total })),
        ctx.el("div", {}, ctx.el("dt", { text: "分错" }), ctx.el("dd", { text: scores.misclassified })),
        ctx.el("div", {}, ctx.el("dt", { text: "紧急识别" }), ctx.el("dd", { text: scores.urgent.detected + "/" + scores.urgent.total }))),
      scores.direct
        ? ctx.el("p", { id: "direct-line", text:
            "直接回答：准确率 " + fixed(scores.direct.accuracy) + "（" + scores.direct.correct + "/" + scores.direct.expected +
            "）；该答没答 " + scores.direct.missed + "，答错 " + scores.direct.wrong +
            "；一般消息被误答 " + scores.direct.false_answers + "/" + scores.direct.general + "。" })
        : ctx.el("p", { class: "muted", text: "没有直接回答的标注集。" }),
      ctx.el("h3", { text: "每个意图（F1 低的在前）" }),
      ctx.table(["意图", "精确率", "召回率", "F1", "样本"],
        scores.intents.map((r) => [r.title + "（" + r.intent + "）", fixed(r.precision), fixed(r.recall), fixed(r.f1), r.support]),
        [1, 2, 3, 4]),
      ctx.el("h3", { text: "最常混淆的意图" }),
      scores.confused_pairs.length
        ? ctx.table(["应该是", "被当成", "次数"],
            scores.confused_pairs.map((p) => [p.expected_title + "（" + p.expected + "）", p.predicted_title + "（" + p.predicted + "）", p.count]),
            [2])
        : ctx.el("p", { class: "good", text: "没有混淆。" })
    );
    return card;
  }

  function factsCard(ctx, topics) {
    const card = ctx.el("div", { class: "card", id: "health-facts" }, ctx.el("h2", { text: "每个话题引用的事实" }));
    for (const topic of topics) {
      const body = topic.facts.length
        ? topic.facts.map((f) => ctx.el("div", { class: "fact" },
            ctx.el("div", { text: f.statement }),
            ctx.el("div", { class: "source", text: "依据：" + f.source + "（" + f.confidence + "，核对于 " + (f.checked || "?") + "；" + f.id + "；用于 " + f.used_by.map(usedBy).join("、") + "）" })))
        : [ctx.el("p", { class: "muted", text: "没有引用事实。" })];
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
