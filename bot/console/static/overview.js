/* The Overview tab: messages per day, fallback and low-confidence rates, urgent messages per
   day (counts only) and the topics' shares, each a Chart.js chart with its numbers beside it;
   the content version and the last reload above them. Data: GET /admin/api/overview. */
(function () {
  "use strict";

  const COLORS = ["#0a58a8", "#d9822b", "#1d7a35", "#8a3ffc", "#b3001b", "#00838f", "#6d6875",
                  "#c0a000", "#5b8def", "#9e9e9e"];
  const MAX_SLICES = 8;
  let days = 14;
  let charts = [];

  function destroy() {
    for (const chart of charts) chart.destroy();
    charts = [];
  }

  function chart(canvas, config) {
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false },
      config.options || {}
    );
    const made = new window.Chart(canvas, config);
    charts.push(made);
    return made;
  }

  function figure(ctx, id, title, numbers) {
    const canvas = ctx.el("canvas", { id: "chart-" + id, role: "img", "aria-label": title });
    const block = ctx.el(
      "div",
      { class: "card", id: "figure-" + id },
      ctx.el("h2", { text: title }),
      ctx.el(
        "div",
        { class: "figure" },
        ctx.el("div", { class: "chart-box" }, canvas),
        ctx.el("div", { class: "numbers" }, numbers)
      )
    );
    return { block, canvas };
  }

  /* A day's rate, or a dash on a day without messages (no rate, rather than 0%); the line
     chart leaves a gap there. */
  function rate(ctx, day, value) {
    return day.total ? ctx.percent(value) : "—";
  }

  function shortDate(iso) {
    return iso.slice(5); // MM-DD
  }

  function clock(iso) {
    return iso.slice(0, 16).replace("T", " "); // 2026-11-30 18:00 (server time)
  }

  function contentCard(ctx, content) {
    const reload = content.last_reload;
    let reloadText = "启动后还没有重新加载过";
    if (reload) {
      reloadText =
        clock(reload.at) + "，" + (reload.ok
          ? "成功（版本 " + reload.old_version + " → " + reload.version + "）"
          : "失败（" + reload.problems + " 个问题），仍在用版本 " + reload.version);
    }
    return ctx.el(
      "div",
      { class: "card", id: "content-status" },
      ctx.el("h2", { text: "内容" }),
      ctx.el(
        "dl",
        { class: "stats" },
        ctx.el("div", {}, ctx.el("dt", { text: "内容版本" }), ctx.el("dd", { id: "content-version", text: content.version })),
        ctx.el("div", {}, ctx.el("dt", { text: "意图数" }), ctx.el("dd", { text: content.intents })),
        ctx.el("div", {}, ctx.el("dt", { text: "加载于" }), ctx.el("dd", { class: "small", text: clock(content.loaded_at) }))
      ),
      ctx.el("p", { class: "muted", text: "上次重新加载：" + reloadText })
    );
  }

  function totalsCard(ctx, data) {
    const stat = (label, value, id) =>
      ctx.el("div", {}, ctx.el("dt", { text: label }), ctx.el("dd", { id, text: value }));
    return ctx.el(
      "div",
      { class: "card" },
      ctx.el("h2", { text: "最近 " + data.period_days + " 天" }),
      ctx.el("p", { class: "muted", text: "按服务器时区（" + data.timezone + "）分日；表格里最近的日子在最上面；没有消息的日子不算比率（—）。" }),
      ctx.el(
        "dl",
        { class: "stats" },
        stat("消息", data.total, "total-messages"),
        stat("兜底回复率", ctx.percent(data.fallback_rate), "total-fallback-rate"),
        stat("低置信度率", ctx.percent(data.low_confidence_rate), "total-clarify-rate"),
        stat("紧急消息", data.urgent, "total-urgent")
      ),
      data.recording ? null : ctx.el("p", { class: "problem", text: "消息记录已关闭（insights.enabled: false），这里没有数字。" })
    );
  }

  function topicSlices(topics) {
    const top = topics.slice(0, MAX_SLICES);
    const rest = topics.slice(MAX_SLICES).reduce((sum, t) => sum + t.count, 0);
    const slices = top.map((t) => ({ label: t.title, count: t.count }));
    if (rest) slices.push({ label: "其他", count: rest });
    return slices;
  }

  async function render(panel, ctx) {
    destroy();
    const select = ctx.el(
      "select",
      { id: "overview-days", "aria-label": "时间范围" },
      [7, 14, 30, 90].map((n) => ctx.el("option", { value: n, selected: n === days, text: "最近 " + n + " 天" }))
    );
    select.addEventListener("change", () => {
      days = Number(select.value);
      ctx.refresh();
    });
    panel.append(
      ctx.el("div", { class: "toolbar" }, select,
        ctx.el("button", { type: "button", class: "quiet", text: "刷新", onclick: () => ctx.refresh() }))
    );
    const data = await ctx.api.get("overview?days=" + days);
    panel.append(contentCard(ctx, data.content), totalsCard(ctx, data));

    const labels = data.days.map((d) => shortDate(d.date));
    const newest = data.days.slice().reverse(); // the tables: today first

    const messages = figure(ctx, "messages", "每天的消息数",
      ctx.table(["日期", "消息", "兜底", "澄清"],
        newest.map((d) => [d.date, d.total, d.fallback, d.clarify]), [1, 2, 3]));
    const rates = figure(ctx, "rates", "兜底回复率和低置信度率",
      ctx.table(["日期", "兜底率", "低置信度率"],
        newest.map((d) => [d.date, rate(ctx, d, d.fallback_rate), rate(ctx, d, d.low_confidence_rate)]), [1, 2]));
    const urgent = figure(ctx, "urgent", "每天的紧急消息（只计数）",
      ctx.table(["日期", "紧急消息"], newest.map((d) => [d.date, d.urgent]), [1]));
    const slices = topicSlices(data.topics);
    const topics = figure(ctx, "topics", "话题占比",
      data.topics.length
        ? ctx.table(["话题", "消息", "占比"],
            data.topics.map((t) => [t.title, t.count, ctx.percent(t.share)]), [1, 2])
        : ctx.el("p", { class: "muted", text: "这段时间没有答出的话题。" }));
    panel.append(messages.block, rates.block, urgent.block, topics.block);

    chart(messages.canvas, {
      type: "bar",
      data: {
        labels,
        datasets: [
          { label: "答出", data: data.days.map((d) => d.total - d.fallback - d.clarify), backgroundColor: COLORS[0], stack: "m" },
          { label: "澄清", data: data.days.map((d) => d.clarify), backgroundColor: COLORS[1], stack: "m" },
          { label: "兜底", data: data.days.map((d) => d.fallback), backgroundColor: COLORS[4], stack: "m" },
        ],
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    });
    chart(rates.canvas, {
      type: "line",
      data: {
        labels,
        datasets: [
          { label: "兜底率", data: data.days.map((d) => (d.total ? d.fallback_rate * 100 : null)), borderColor: COLORS[4], backgroundColor: COLORS[4] },
          { label: "低置信度率", data: data.days.map((d) => (d.total ? d.low_confidence_rate * 100 : null)), borderColor: COLORS[1], backgroundColor: COLORS[1] },
        ],
      },
      options: { scales: { y: { beginAtZero: true, suggestedMax: 20, ticks: { callback: (v) => v + "%" } } } },
    });
    chart(urgent.canvas, {
      type: "bar",
      data: { labels, datasets: [{ label: "紧急消息", data: data.days.map((d) => d.urgent), backgroundColor: COLORS[4] }] },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    chart(topics.canvas, {
      type: "doughnut",
      data: {
        labels: slices.map((s) => s.label),
        datasets: [{ data: slices.map((s) => s.count), backgroundColor: slices.map((_, i) => COLORS[i % COLORS.length]) }],
      },
      options: { plugins: { legend: { position: "bottom" } } },
    });
  }

  window.ConsoleApp.register("overview", { render, destroy });
})();
