// Charts of analytics pages, from <canvas data-chart="ID"> and a json_script block with that
// id (the content security policy forbids inline scripts). Series differ by line style and
// point shape, not only colour; every chart's numbers are also in a table on the page.
(function () {
  "use strict";
  const COLOURS = ["#1565c0", "#6d4c41", "#2e7d32", "#ad1457", "#ef6c00"];
  const POINTS = ["circle", "rectRot", "triangle", "rect", "star"];

  function formatter(currency) {
    const lang = document.documentElement.lang || "en";
    const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    return (value) => number.format(value) + (currency ? " " + currency : "");
  }

  function build(canvas) {
    if (canvas.dataset.ready || typeof Chart === "undefined") return;
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    const format = formatter(spec.currency);
    const datasets = spec.series.map((series, i) => ({
      label: series.label,
      data: series.data,
      borderColor: COLOURS[i % COLOURS.length],
      backgroundColor: COLOURS[i % COLOURS.length] + (spec.type === "bar" ? "cc" : "33"),
      borderDash: series.style === "dashed" ? [6, 4] : [],
      pointStyle: POINTS[i % POINTS.length],
      pointRadius: spec.type === "line" ? 4 : 0,
      borderWidth: 2,
      tension: 0.2,
    }));
    const horizontal = spec.type === "bar" && spec.horizontal;
    const valueAxis = horizontal ? "x" : "y";
    canvas.dataset.ready = "1";
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: datasets.length > 1, labels: { usePointStyle: true } },
          tooltip: { callbacks: { label: (ctx) => ctx.dataset.label + ": " + format(ctx.parsed[valueAxis]) } },
        },
        scales: { [valueAxis]: { beginAtZero: true, ticks: { callback: (v) => format(v) } } },
      },
    });
  }

  function buildAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(build);
  }

  document.addEventListener("DOMContentLoaded", () => buildAll(document));
  document.addEventListener("htmx:afterSettle", (event) => buildAll(event.target));
})();
