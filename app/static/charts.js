// Draws each chart of the page from its Vega-Lite specification, kept in a JSON data block
// beside it. The expression interpreter (ast) keeps Vega from compiling code at run time, so
// the page needs no 'unsafe-eval'. A click on a mark follows its link: the list of its studies.
function drawCharts() {
  if (typeof vegaEmbed !== "function") return;
  document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (block) {
    var target = document.getElementById(block.dataset.chart);
    if (!target || target.dataset.drawn) return;
    target.dataset.drawn = "yes";
    vegaEmbed(target, JSON.parse(block.textContent), {actions: false, ast: true, renderer: "svg", defaultStyle: false,
              tooltip: {disableDefaultStyle: true}})  // its default look is an inline <style>: winnow.css has it
      .catch(function (error) { target.textContent = "The chart could not be drawn: " + error.message; });
  });
}
document.addEventListener("DOMContentLoaded", drawCharts);
