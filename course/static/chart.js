// The course charts' front end: an anywidget module that draws a Vega-Lite spec with vega-embed.
// It needs no network: Vega, Vega-Lite and vega-embed come from the kernel, bundled by
// vl-convert into one module (0.9 MB) that a separate widget model carries (VegaBundle in
// course/charts.py, named in this chart's `_vega`). The page loads that module once, however
// many charts it shows (loadVega below).
//
// It keeps the Python side of Altair's JupyterChart (the `spec`, `embed_options` and `_params`
// traits) and differs from Altair's front end in one thing a student feels. A course widget
// changes the chart's rows or its param values when a control moves. Altair's front end then
// compiles and draws the whole chart again: 50-150 ms for the larger widgets on the 2-core
// machine the course is measured on (benchmarks/FINDINGS.md).
// Here, when nothing but the rows of named datasets and the values of plain params changed, the
// chart already on the page is updated in place with Vega's own view API (view.data for rows,
// view.signal for params) and only the marks that changed are repainted. Any other change
// (marks, encodings, sizes, a selection's value) draws the chart again from the new spec, so the
// picture is always the one the spec describes.
//
// Selections and params changed in the browser are not sent back to Python: the course reads
// its widgets' state from their controls, never from the chart.

function isPlainParam(param) {
  return param && typeof param.name === "string" && !("select" in param);
}

// Everything in a spec except the rows of its named datasets and the values of its plain
// params, as text: two specs with the same outline differ only in what view.data and
// view.signal can change.
function outline(spec) {
  const datasets = Object.keys(spec.datasets ?? {}).sort();
  const params = (spec.params ?? []).map(p => isPlainParam(p) ? { ...p, value: null } : p);
  return JSON.stringify({ ...spec, datasets, params });
}

// A chart that draws rows in the order they come (an encoding with "sort": null) must be drawn
// again when its rows change: Vega, updating in place, keeps the categories it already had in
// their old places and adds new ones at the end, where a fresh draw would follow the new rows.
function followsRowOrder(spec) {
  return JSON.stringify(spec).includes('"sort":null');
}

// New rows that are the old rows with only some numbers changed (the same rows in the same
// order, the same text in every field: a new year of the same areas and industries) change the
// numbers Vega holds instead of replacing the rows (a "modify" changeset): each mark keeps its
// elements and only the attributes that changed are written. Returns false, having changed
// nothing, when the rows differ in any other way; the caller then replaces them.
function changeValues(view, name, before, after) {
  if (!Array.isArray(before) || !Array.isArray(after) || before.length !== after.length ||
      after.length === 0) return false;
  const held = view.data(name);
  if (!Array.isArray(held) || held.length !== after.length) return false;
  const changes = [];
  for (let i = 0; i < after.length; i++) {
    const old = before[i], now = after[i], tuple = held[i];
    if (old === null || now === null || typeof old !== "object" || typeof now !== "object") return false;
    const fields = Object.keys(now);
    if (fields.length !== Object.keys(old).length) return false;
    for (const field of fields) {
      if (!(field in old)) return false;
      const a = old[field], b = now[field];
      if (tuple[field] !== a) return false;  // Vega holds the rows in another order
      if (a === b) continue;
      if (typeof a !== "number" || typeof b !== "number") return false;
      changes.push([tuple, field, b]);
    }
  }
  const changeset = view.changeset();
  for (const [tuple, field, value] of changes) changeset.modify(tuple, field, value);
  view.change(name, changeset);
  return true;
}

function valuesOf(spec) {
  const params = {};
  for (const p of spec.params ?? []) {
    if (isPlainParam(p)) params[p.name] = JSON.stringify(p.value ?? null);
  }
  const data = {};
  for (const [name, rows] of Object.entries(spec.datasets ?? {})) data[name] = JSON.stringify(rows);
  return { params, data };
}

// vega-embed, from the kernel's VegaBundle model: loaded once per page and key (a hash of the
// bundle), shared by every chart on the page. A load that fails is forgotten, so the next chart
// tries again.
const LOADED = Symbol.for("productive-places.vega");

function loadVega(model) {
  const ref = model.get("_vega") ?? {};
  const cache = (globalThis[LOADED] ??= new Map());
  let loading = cache.get(ref.key);
  if (!loading) {
    loading = (async () => {
      let text = null;
      try {
        text = ref.model && ref.key
          ? (await model.widget_manager.get_model(ref.model))?.get("bundle") : null;
      } catch (error) {  // e.g. "widget model not found": the kernel behind it was replaced
        console.error("course chart: no Vega library model", error);
      }
      if (!text) throw new Error("the chart library (Vega) did not reach the browser");
      const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
      try {
        return (await import(url)).vegaEmbed;
      } finally {
        URL.revokeObjectURL(url);
      }
    })().catch(error => {
      throw Object.assign(error instanceof Error ? error : new Error(String(error)),
                          { library: true });
    });
    cache.set(ref.key, loading);
    loading.catch(() => { if (cache.get(ref.key) === loading) cache.delete(ref.key); });
  }
  return loading;
}

function showError(el, error) {
  const box = document.createElement("div");
  box.setAttribute("role", "alert");
  box.style.color = "#B00020";
  const advice = error?.library
    ? ". Restart the kernel and run the notebook again; if the message stays, reload the page"
    : ". Run the cell again; if the message stays, the chart's specification has a mistake";
  box.textContent = "This chart could not be drawn: " + (error?.message ?? error) + advice +
    " (the browser's console has the details).";
  el.replaceChildren(box);
  console.error("course chart:", error);
}

async function render({ model, el }) {
  let api = null;        // vega-embed's result for the chart on the page
  let drawn = null;      // what is on the page: {outline, params, data} of its spec
  let pending = Promise.resolve();

  const clear = () => {
    if (api) api.finalize();
    api = null;
    drawn = null;
  };

  // Python's param values win over the values written in the spec: a param-only change
  // (`chart.params.x = ...`) leaves the spec's own value behind. Only the spec's plain params
  // are set (Altair also lists params that transforms make, with no value).
  const applyParams = () => {
    const params = model.get("_params") ?? {};
    let changed = false;
    for (const name of Object.keys(drawn?.params ?? {})) {
      if (name in params && params[name] !== null &&
          JSON.stringify(params[name]) !== JSON.stringify(api.view.signal(name))) {
        api.view.signal(name, params[name]);
        changed = true;
      }
    }
    return changed;
  };

  // Vega sizes a chart to its content (autosize "pad") when it first draws it, and by default
  // not again: new rows with longer labels would be cut off. view.resize() makes the next run
  // size the chart again, as a fresh draw would.
  //
  // Vega's SVG renderer then redraws only the items that changed, and writes the ARIA labels of
  // a mark's group (a title's words, an axis's range) only when it visits that group, so after
  // an in-place change a screen reader would hear the old title. Vega has no public call for a
  // full pass; setting the renderer's change counter back to 0, as before its first render,
  // makes the next render visit every mark (about 7 ms for a chart of 100 marks). Should a later
  // Vega drop that field, the labels are left as Vega leaves them.
  const relayout = async () => {
    api.view.resize();
    const renderer = api.view._renderer;
    if (renderer && typeof renderer._dirtyID === "number") renderer._dirtyID = 0;
    await api.view.runAsync();
  };

  // The spec with Python's current param values written in, so the first picture is right.
  const withParams = (spec) => {
    const params = model.get("_params") ?? {};
    const set = p => isPlainParam(p) && params[p.name] != null ? { ...p, value: params[p.name] } : p;
    return spec.params ? { ...spec, params: spec.params.map(set) } : spec;
  };

  const draw = async (spec) => {
    clear();
    const options = structuredClone(model.get("embed_options") ?? {});
    try {
      const vegaEmbed = await loadVega(model);
      api = await vegaEmbed(el, structuredClone(withParams(spec)), options);
    } catch (error) {
      api = null;
      showError(el, error);
      return;
    }
    drawn = { outline: outline(spec), rowOrder: followsRowOrder(spec), ...valuesOf(spec) };
    if (applyParams()) await api.view.runAsync();
  };

  // Bring the page up to the model's spec: in place when only rows and param values changed.
  const update = async () => {
    const spec = model.get("spec");
    if (spec == null) {
      clear();
      el.replaceChildren();
      return;
    }
    if (!api || !drawn || outline(spec) !== drawn.outline) {
      await draw(spec);
      return;
    }
    const now = valuesOf(spec);
    if (drawn.rowOrder && Object.entries(now.data).some(([name, rows]) => rows !== drawn.data[name])) {
      await draw(spec);
      return;
    }
    let changed = false;
    for (const [name, rows] of Object.entries(now.data)) {
      if (rows !== drawn.data[name]) {
        const fresh = JSON.parse(rows);  // a fresh copy: Vega marks the rows it holds
        if (!changeValues(api.view, name, JSON.parse(drawn.data[name] ?? "null"), fresh)) {
          api.view.data(name, fresh);
        }
        changed = true;
      }
    }
    for (const [name, value] of Object.entries(now.params)) {
      if (value !== drawn.params[name]) {
        api.view.signal(name, JSON.parse(value));
        changed = true;
      }
    }
    drawn = { ...drawn, ...now };
    if (applyParams() || changed) await relayout();
  };

  // One change at a time, in the order they came: each brings the page to the model's latest
  // state. aria-busy tells assistive technology (and the course's browser tests) that the chart
  // is being brought up to date.
  let waiting = 0;
  const queue = (job) => {
    waiting += 1;
    el.setAttribute("aria-busy", "true");
    pending = pending.then(job).catch(error => showError(el, error)).finally(() => {
      waiting -= 1;
      if (waiting === 0) el.setAttribute("aria-busy", "false");
    });
    return pending;
  };

  const onSpec = () => queue(update);
  const onOptions = () => queue(async () => { drawn = null; await update(); });
  const onParams = () => queue(async () => {
    if (api && drawn && applyParams()) await relayout();
  });
  model.on("change:spec", onSpec);
  model.on("change:embed_options", onOptions);
  model.on("change:_params", onParams);
  await queue(update);
  return () => {
    model.off("change:spec", onSpec);
    model.off("change:embed_options", onOptions);
    model.off("change:_params", onParams);
    clear();
  };
}

export default { render };
