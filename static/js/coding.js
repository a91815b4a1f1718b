// Selection coding: turns a mouse (or Shift+arrow) selection in the document text into
// Unicode code-point offsets for the coding form. JavaScript strings count UTF-16 units, the
// server counts code points (as REFI-QDA does), so every length here is counted with for..of.
// The server checks the offsets again; this only fills in the form.

const container = document.querySelector("[data-coding-text]");
const form = document.querySelector("[data-coding-form]");

function codePointLength(text) {
  let count = 0;
  for (const _char of text) count += 1;
  return count;
}

function segmentOf(node) {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const segment = element && element.closest("[data-offset]");
  return segment && container.contains(segment) ? segment : null;
}

// The code-point offset of a selection boundary (node, offset in that node).
function boundaryOffset(node, offset) {
  if (node === container) {
    const child = container.childNodes[offset];
    return child ? Number(child.dataset.offset) : Number(container.dataset.length);
  }
  const segment = segmentOf(node);
  if (!segment) return null;
  const base = Number(segment.dataset.offset);
  if (node.nodeType === Node.TEXT_NODE) return base + codePointLength(node.data.slice(0, offset));
  return offset === 0 ? base : base + codePointLength(segment.textContent);
}

function preview(text) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

if (container && form) {
  const start = form.querySelector("input[name=start]");
  const end = form.querySelector("input[name=end]");
  const passage = form.querySelector("select[name=passage]");
  const status = form.querySelector("[data-selection-status]");

  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return;
    const from = boundaryOffset(range.startContainer, range.startOffset);
    const to = boundaryOffset(range.endContainer, range.endOffset);
    if (from === null || to === null || from >= to) return;
    start.value = String(from);
    end.value = String(to);
    if (passage) passage.value = "";
    status.textContent = `Selected: “${preview(selection.toString())}”`;
  });

  if (passage) {
    passage.addEventListener("change", () => {
      if (passage.value) {
        start.value = "";
        end.value = "";
        status.textContent = "Coding the passage chosen from the list.";
      }
    });
  }
}
