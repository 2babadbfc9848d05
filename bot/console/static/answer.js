/* The "写新回答" tab: a counsellor writes a new answer — the question, the answer in one to
   three sentences, the rules it rests on (from the fact register), the lenders it is true
   for and other ways people ask it — the same shape as the question bank's answers. "预览"
   shows what would be written and how the bot would read each way of asking; nothing is
   written until "确认写入". Data: GET /admin/api/answer_form, POST /admin/api/answer. */
(function () {
  "use strict";

  function lines(text) {
    return text.split("\n").map((t) => t.trim()).filter(Boolean);
  }

  function checked(box) {
    return Array.from(box.querySelectorAll("input[type=checkbox]:checked")).map((i) => i.value);
  }

  async function render(panel, ctx) {
    const form = await ctx.api.get("answer_form");
    const factsById = new Map(form.facts.map((f) => [f.id, f]));
    const lenderLabel = new Map(form.lenders.map((l) => [l.id, l.label]));
    const titleOf = new Map(form.intents.map((i) => [i.id, i.title]));
    const status = ctx.el("div", { id: "answer-status", role: "status" });

    const topic = ctx.el("select", { id: "answer-topic" },
      ctx.el("option", { value: "", text: "请选择……" }),
      form.intents.map((i) => ctx.el("option", { value: i.id, text: i.title })));
    const question = ctx.el("input", { id: "answer-question", type: "text", maxlength: "200",
      placeholder: "比如：催收说要去我单位，我能拒绝吗" });
    const short = ctx.el("textarea", { id: "answer-short", rows: "3", maxlength: String(form.max_short) });
    const shortCount = ctx.el("span", { class: "muted", text: "0 / " + form.max_short + " 字" });
    short.addEventListener("input", () => { shortCount.textContent = short.value.length + " / " + form.max_short + " 字"; });

    const filter = ctx.el("input", { id: "answer-fact-filter", type: "search", placeholder: "输入关键词筛选，比如：上门、征信、第二十五条" });
    const factBox = ctx.el("div", { id: "answer-facts", class: "fact-choices" },
      form.facts.map((f) => ctx.el("label", { class: "fact-choice", "data-id": f.id },
        ctx.el("input", { type: "checkbox", value: f.id }),
        ctx.el("span", { text: f.statement }),
        ctx.el("span", { class: "muted source", text: "依据：" + f.source }))));
    filter.addEventListener("input", () => {
      const words = filter.value.trim();
      for (const label of factBox.children) {
        const match = !words || label.textContent.includes(words) || label.querySelector("input").checked;
        label.hidden = !match;
      }
    });

    const lenderBox = ctx.el("div", { id: "answer-lenders" },
      form.lenders.map((l) => ctx.el("label", { class: "lender-choice" },
        ctx.el("input", { type: "checkbox", value: l.id, checked: l.id === "any" }), " " + l.label)));

    // "all lenders" stands alone: choosing a type unticks it, ticking it unticks the types
    lenderBox.addEventListener("change", (event) => {
      const boxes = Array.from(lenderBox.querySelectorAll("input[type=checkbox]"));
      const any = boxes.find((b) => b.value === "any");
      if (event.target === any && any.checked) boxes.forEach((b) => { if (b !== any) b.checked = false; });
      else if (event.target !== any && event.target.checked) any.checked = false;
    });

    const phrasings = ctx.el("textarea", { id: "answer-phrasings", rows: "8",
      placeholder: "一行写一种问法，比如：\n催收要去我公司怎么办\n说要到单位找我 能不让来吗" });
    const phrasingCount = ctx.el("span", { class: "muted" });
    const countPhrasings = () => {
      const all = new Set([question.value.trim(), ...lines(phrasings.value)].filter(Boolean));
      phrasingCount.textContent = "现在 " + all.size + " 种（至少 " + form.min_phrasings + " 种）";
    };
    phrasings.addEventListener("input", countPhrasings);
    question.addEventListener("input", countPhrasings);
    countPhrasings();

    const field = (label, control, hint) =>
      ctx.el("div", { class: "field" }, ctx.el("label", {}, ctx.el("strong", { text: label }), control), hint || null);

    const body = () => ({
      intent: topic.value,
      question: question.value,
      short: short.value,
      facts: checked(factBox),
      lenders: checked(lenderBox),
      phrasings: lines(phrasings.value),
    });

    function summary(result) {
      const readings = result.readings;
      const answered = readings.filter((r) => r.answered);
      const missed = readings.filter((r) => !r.answered);
      const lowered = result.lowered.length > 0;
      const b = result.before;
      const a = result.after;
      return [
        ctx.el("dl", { class: "answer-preview" },
          ctx.el("dt", { text: "话题" }), ctx.el("dd", { text: titleOf.get(result.intent) || result.intent }),
          ctx.el("dt", { text: "问题" }), ctx.el("dd", { class: "preview-question", text: result.question }),
          ctx.el("dt", { text: "机器人会回答" }), ctx.el("dd", { class: "preview-short", text: result.short }),
          ctx.el("dt", { text: "依据" }), ctx.el("dd", {},
            ctx.el("ul", {}, result.facts.map((id) => {
              const f = factsById.get(id);
              return ctx.el("li", { text: f ? f.statement + "（" + f.source + "）" : id });
            }))),
          ctx.el("dt", { text: "适用于" }), ctx.el("dd", { text: result.lenders.map((l) => lenderLabel.get(l) || l).join("、") }),
          ctx.el("dt", { text: "问法" }), ctx.el("dd", { text: result.phrasings.length + " 种：" + result.phrasings.join(" / ") })),
        ctx.el("p", { class: missed.length ? "problem reading" : "good reading", text:
          "这 " + readings.length + " 种问法里，有 " + answered.length + " 种会得到这个回答。" +
          (missed.length ? "其余的机器人还会当成别的问题，可以把它们改得更像，或再多写几种问法。" : "") }),
        missed.length ? ctx.el("ul", { class: "missed" }, missed.map((r) => ctx.el("li", { text: r.text }))) : null,
        ctx.el("p", { class: lowered ? "problem impact" : "muted impact", text:
          "对已有内容的影响（用标好答案的消息检查）：认话题 " + ctx.outOf100(b.topic, "认对") + " → " +
          ctx.outOf100(a.topic, "认对") + "；具体问题 " + ctx.outOf100(b.direct, "答对") + " → " +
          ctx.outOf100(a.direct, "答对") + "。" +
          (lowered ? "写入后机器人会在已有的问题上出更多错，请再想想。" : "") }),
      ];
    }

    async function send(confirm, digest) {
      status.replaceChildren(ctx.el("p", { class: "loading", text: confirm ? "正在写入……" : "正在检查……（大约半分钟）" }));
      let result;
      try {
        result = await ctx.api.post("answer", Object.assign(body(), confirm ? { confirm: true, digest } : {}));
      } catch (error) {
        status.replaceChildren(ctx.el("p", { class: "problem", role: "alert", text: error.message }));
        return;
      }
      if (result.status === "preview") {
        status.replaceChildren(ctx.el("div", { class: "card preview" },
          ctx.el("h3", { text: "请核对：还没有写入" }),
          summary(result),
          ctx.el("div", { class: "actions" },
            ctx.el("button", { type: "button", class: result.lowered.length ? "danger confirm" : "confirm",
              text: "确认写入", onclick: () => send(true, result.digest) }),
            ctx.el("button", { type: "button", class: "quiet", text: "返回修改", onclick: () => status.replaceChildren() }))));
        return;
      }
      ctx.invalidate("changes");
      ctx.invalidate("health");
      status.replaceChildren(ctx.el("div", { class: "card written" },
        ctx.el("p", { class: "good", text: "已写入（修改 #" + result.change + "）。现在有人问「" + result.question + "」，机器人会回答：" }),
        ctx.el("blockquote", { text: result.short }),
        ctx.el("p", { class: "muted", text: "写错了可以在“修改记录”里撤销。" })));
    }

    panel.append(
      ctx.el("div", { class: "card" },
        ctx.el("p", { text: "人们常问、机器人还答不好的问题，可以在这里写一个新回答。先点“预览”看看会写入什么、机器人会怎么读；点“确认写入”以后才会写入。写错了可以在“修改记录”里撤销。" }),
        field("属于哪个话题", topic),
        field("人们会怎么问", question),
        field("回答（一到三句话）", short, shortCount),
        field("回答依据哪些规定（至少选一条）", filter, factBox),
        field("适用于哪些贷款方", lenderBox),
        field("其他问法（一行一句）", phrasings, phrasingCount),
        ctx.el("div", { class: "actions" },
          ctx.el("button", { type: "button", id: "answer-preview", text: "预览（不会写入）", onclick: () => send(false, null) }))),
      status);
  }

  window.ConsoleApp.register("answer", { render });
})();
