// The course charts' browser helper: a tiny anywidget inside every course widget and chart.
// It runs in the browser only (no network, no dependencies). In the widget or chart that
// contains it (the nearest .course-widget or .course-chart) it
//  * sends a picture of the chart (its SVG, once it has settled) to the kernel, which puts it
//    in a hidden output beside the chart: a saved notebook reopened without its kernel shows
//    that picture and the chart's alt text instead of "Error displaying widget";
// and it fixes what ipywidgets' own controls leave out:
//  * JupyterLab's shortcuts stop at a dropdown or a slider handle (data-lm-suppress-shortcuts),
//    so their arrow keys change the value instead of moving the notebook's active cell (the
//    rest of the widget keeps JupyterLab's shortcuts, e.g. Ctrl+S);
//  * every slider handle gets an accessible name (the slider's label) and a readable value;
//  * toggle buttons expose which one is pressed (aria-pressed);
//  * slider readouts are wide enough for a range ("1998 – 2025"), slider tracks are visible
//    (3:1 against white) and long enough to use beside a long label (a row of controls that
//    then does not fit wraps), and long option labels are not cut off.
const STYLE_ID = "course-widget-access-style";
const CSS = `
.course-widget .widget-readout { min-width: 7.5em; overflow: visible; }
/* a slider keeps a track a mouse can aim at (120 px) beside a long label: the row grows past
   ipywidgets' fixed 300 px, and a row of controls that then does not fit wraps */
.course-widget .widget-hslider .slider-container { min-width: 120px; }
.course-widget .widget-hslider { min-width: max-content; }
.course-widget .widget-hbox { flex-wrap: wrap; }
.course-widget .widget-slider .noUi-target { background: #8C8C8C; }
.course-widget .widget-slider .noUi-connect { background: #0072B2; }
.course-widget .widget-toggle-buttons .widget-toggle-button { width: auto; min-width: 4em; }
.course-widget .widget-toggle-button, .course-widget .jupyter-button { overflow: visible; }
.course-access { display: none; }
/* the saved picture of a chart is hidden while the live chart is there */
.jp-OutputArea:has(.course-widget, .course-chart) .jp-OutputArea-child:has(.course-picture) { display: none; }
`;

function labelOf(control) {
  const label = control.querySelector(".widget-label");
  return label ? label.textContent.trim() : "";
}

function fix(root) {
  for (const keyed of root.querySelectorAll("select, .noUi-handle")) {
    if (!keyed.hasAttribute("data-lm-suppress-shortcuts")) {
      keyed.setAttribute("data-lm-suppress-shortcuts", "true");
    }
  }
  for (const slider of root.querySelectorAll(".widget-slider, .widget-hslider, .widget-vslider")) {
    const name = labelOf(slider) || "Slider";
    const handles = slider.querySelectorAll(".noUi-handle");
    handles.forEach((handle, i) => {
      const which = handles.length === 2 ? (i === 0 ? " (from)" : " (to)") : "";
      if (handle.getAttribute("aria-label") !== name + which) {
        handle.setAttribute("aria-label", name + which);
      }
    });
  }
  for (const group of root.querySelectorAll(".widget-toggle-buttons")) {
    const name = labelOf(group);
    const box = group.querySelector(".widget-toggle-buttons > div:not(.widget-label)") || group;
    if (name && box.getAttribute("aria-label") !== name) {
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", name);
    }
  }
  for (const button of root.querySelectorAll("button.widget-toggle-button, .widget-toggle-buttons button")) {
    const pressed = button.classList.contains("mod-active") ? "true" : "false";
    if (button.getAttribute("aria-pressed") !== pressed) {
      button.setAttribute("aria-pressed", pressed);
    }
  }
}

function snapshot(root, model, state) {
  const svg = root.querySelector(".vega-embed svg.marks");
  if (!svg || !svg.querySelector("[role=graphics-symbol]")) return;
  const text = new XMLSerializer().serializeToString(svg);
  if (text !== state.last) {
    state.last = text;
    model.set("picture", text);
    model.save_changes();
  }
}

function render({ model, el }) {
  el.classList.add("course-access");
  if (!document.getElementById(STYLE_ID)) {
    const style = document.createElement("style");
    style.id = STYLE_ID;
    style.textContent = CSS;
    document.head.appendChild(style);
  }
  let root = null;
  let observer = null;
  let waiting = null;
  let state = null;
  const started = performance.now();
  const attach = () => {
    root = el.closest(".course-widget, .course-chart");
    if (!root) {
      // Not inside its widget yet: ipywidgets puts a box's children in place once each has
      // drawn, which on a busy machine can take many seconds. Look again a little later, for
      // as long as a page could reasonably take (the view's removal stops it sooner).
      if (performance.now() - started < 600_000) waiting = setTimeout(attach, 100);
      return;
    }
    state = { last: null, timer: null };
    const later = () => {
      clearTimeout(state.timer);
      state.timer = setTimeout(() => snapshot(root, model, state), 1500);  // once it settles
    };
    fix(root);
    later();
    let queued = false;
    observer = new MutationObserver(() => {
      if (!queued) {
        queued = true;
        requestAnimationFrame(() => { queued = false; fix(root); });
      }
      later();
    });
    observer.observe(root, { subtree: true, childList: true, attributes: true,
                             characterData: true });
  };
  attach();
  return () => {
    clearTimeout(waiting);
    if (state) clearTimeout(state.timer);
    if (observer) observer.disconnect();
  };
}

export default { render };
