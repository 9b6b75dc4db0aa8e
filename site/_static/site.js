// Productive Places website: small accessibility repairs to the theme's pages.
document.addEventListener("DOMContentLoaded", () => {
  // The sidebar's expand/collapse toggles are icons only: name each after its section.
  document.querySelectorAll("nav details > summary").forEach((summary) => {
    if (summary.textContent.trim() || summary.hasAttribute("aria-label")) return;
    const link = summary.parentElement.parentElement.querySelector(":scope > a");
    const name = link ? link.textContent.trim() : "this section";
    summary.setAttribute("aria-label", `Show or hide the pages under ${name}`);
  });
  // Let keyboard users scroll any output or table that overflows (WCAG 2.1.1).
  const scrolling = ".cell_output .output, .cell_output div, div.highlight pre, .table-wrapper, .bd-article table";
  document.querySelectorAll(scrolling).forEach((el) => {
    if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight) {
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
      if (!el.hasAttribute("role")) el.setAttribute("role", "region");
      if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", "scrollable content");
    }
  });
});
