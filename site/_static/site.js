// Productive Places website: let keyboard users scroll any output or table that overflows
// (WCAG 2.1.1), by giving each scrolling region a tab stop and a name.
document.addEventListener("DOMContentLoaded", () => {
  const selectors = ".cell_output .output, .cell_output div, div.highlight pre, .pp-static-widget details, .table-wrapper, .bd-article table";
  document.querySelectorAll(selectors).forEach((el) => {
    if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight) {
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
      if (!el.hasAttribute("role")) el.setAttribute("role", "region");
      if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", "scrollable content");
    }
  });
});
