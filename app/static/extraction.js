// The coding page: the study's PDF drawn by PDF.js with a selectable text layer, a quote taken
// from the selection into a question's source, keyboard saving, and a last save when the tab closes.
const viewer = document.getElementById("pdf-viewer");
let lastSelection = null; // {text, page, record} of the latest selection inside the PDF

async function showPdf(url, record) {
  const lib = await import(viewer.dataset.lib);
  lib.GlobalWorkerOptions.workerSrc = viewer.dataset.worker;
  viewer.replaceChildren();
  viewer.dataset.record = record;
  // Winnow's CSP forbids eval: PDF.js would otherwise probe `new Function` and log a violation.
  const pdf = await lib.getDocument({ url, isEvalSupported: false }).promise;
  for (let number = 1; number <= pdf.numPages; number += 1) {
    const page = await pdf.getPage(number);
    const scale = Math.max(0.5, (viewer.clientWidth - 8) / page.getViewport({ scale: 1 }).width);
    const viewport = page.getViewport({ scale });
    const box = document.createElement("div");
    box.className = "pdf-page";
    box.dataset.page = String(number);
    box.style.width = `${viewport.width}px`;
    box.style.height = `${viewport.height}px`;
    box.style.setProperty("--scale-factor", String(scale));
    box.style.setProperty("--total-scale-factor", String(scale));
    const ratio = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${viewport.width}px`;
    canvas.style.height = `${viewport.height}px`;
    const text = document.createElement("div");
    text.className = "textLayer";
    const label = document.createElement("span");
    label.className = "pdf-page-number";
    label.textContent = `page ${number}`;
    box.append(canvas, text, label);
    viewer.append(box);
    await page.render({
      canvasContext: canvas.getContext("2d"), viewport,
      transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
    }).promise;
    await new lib.TextLayer({ textContentSource: page.streamTextContent(), container: text, viewport }).render();
  }
  viewer.dataset.rendered = String(pdf.numPages);
}

if (viewer && viewer.dataset.pdf) {
  showPdf(viewer.dataset.pdf, viewer.dataset.record).catch((error) => {
    viewer.textContent = `The PDF could not be shown: ${error.message}`;
  });
}

document.addEventListener("click", (event) => {
  const show = event.target.closest("[data-show-pdf]");
  if (show) {
    showPdf(show.dataset.showPdf, show.dataset.record);
    return;
  }
  const into = event.target.closest("[data-quote-into]");
  if (into) useSelection(into.dataset.quoteInto);
});

document.addEventListener("selectionchange", () => {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || !viewer) return;
  const anchor = selection.anchorNode && selection.anchorNode.parentElement;
  const page = anchor && anchor.closest(".pdf-page");
  if (page && viewer.contains(page)) {
    lastSelection = { text: selection.toString().replace(/\s+/g, " ").trim(), page: page.dataset.page,
                      record: viewer.dataset.record };
  }
});

function useSelection(path) {
  const quote = document.getElementById(`${path}.quote`);
  if (!lastSelection || !lastSelection.text) {
    quote.focus();
    quote.setAttribute("placeholder", "Select a sentence in the PDF first, or paste it here.");
    return;
  }
  quote.value = lastSelection.text;
  document.getElementById(`${path}.page`).value = lastSelection.page;
  const source = document.getElementById(`${path}.source`);
  if (source) source.value = lastSelection.record;
  quote.dispatchEvent(new Event("change", { bubbles: true })); // the autosave takes it from here
}

// Ctrl+S saves the draft now, Ctrl+Enter submits.
document.addEventListener("keydown", (event) => {
  if (!(event.ctrlKey || event.metaKey)) return;
  const form = document.getElementById("coding-form");
  if (!form) return;
  const action = event.key === "s" ? "save" : event.key === "Enter" ? "submit" : null;
  if (!action) return;
  const button = form.querySelector(`button[name=action][value=${action}]`);
  if (button) { event.preventDefault(); button.click(); }
});

// A draft typed since the last autosave is sent as the tab closes or hides.
let dirty = false;
document.addEventListener("input", (event) => { if (event.target.closest("#coding-form")) dirty = true; });
document.addEventListener("htmx:afterRequest", (event) => {
  if (event.detail.successful && event.detail.elt && event.detail.elt.id === "save-status") dirty = false;
});
function saveOnLeave() {
  const form = document.getElementById("coding-form");
  if (!dirty || !form) return;
  const data = new FormData(form);
  data.set("action", "autosave");
  if (navigator.sendBeacon(form.dataset.autosave, data)) dirty = false;
}
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") saveOnLeave(); });
window.addEventListener("pagehide", saveOnLeave);
