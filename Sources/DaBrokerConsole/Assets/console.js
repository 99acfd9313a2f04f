// DaBroker console: a plain page over the REST face (/api/) and the event stream (/events).
// No framework, no external asset. See docs/console.md.
"use strict";
(function () {
  // The REST face's prefix: the server writes it into the page (rest.prefix).
  const API = (document.querySelector('meta[name="dabroker-api"]') || {}).content || "/api";
  const TOKEN_KEY = "dabroker-console-token";
  // shown: the rows on screen by path (`Album/1`), to tell a change from what is displayed.
  const state = { schema: null, tables: new Map(), view: null, lastEventID: null, instance: null, shown: new Map() };
  const $ = (sel, root) => (root || document).querySelector(sel);

  // ---- DOM helpers -------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }
  function showAlert(text, info) {
    const box = $("#alert");
    box.textContent = text;
    box.className = info ? "alert info" : "alert";
    box.hidden = !text;
  }
  function focusHeading() {
    const h1 = $("#view h1");
    if (h1) { h1.tabIndex = -1; h1.focus(); }
  }

  // ---- HTTP with the bearer token -------------------------------------------------------
  let tokenWaiters = [];
  function askToken() {
    return new Promise((resolve) => {
      tokenWaiters.push(resolve);
      const box = $("#token-box");
      if (box.hidden) { box.hidden = false; $("#token-input").value = ""; $("#token-input").focus(); }
    });
  }
  $("#token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("#token-input").value);
    $("#token-box").hidden = true;
    const waiters = tokenWaiters;
    tokenWaiters = [];
    waiters.forEach((w) => w());
  });
  function authHeaders(extra) {
    const headers = Object.assign({ Accept: "application/json" }, extra || {});
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    return headers;
  }
  async function request(method, url, body, extraHeaders) {
    for (;;) {
      const headers = authHeaders(extraHeaders);
      const init = { method, headers };
      if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
      const res = await fetch(url, init);
      if (res.status === 401) { await askToken(); continue; }
      const text = await res.text();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
      return { status: res.status, ok: res.ok, headers: res.headers, json, text };
    }
  }
  // The server's error message, as it is (problem+json, the protocol's error message, or text).
  function errorText(res) {
    const j = res.json;
    if (j && (j.title || j.detail)) return [j.title, j.detail].filter(Boolean).join(": ");
    if (j && j.error && j.error._r) return j.error._t + ": " + j.error._r;
    return "HTTP " + res.status + (res.text ? ": " + res.text : "");
  }

  // ---- the schema (GET /api/) ----------------------------------------------------------
  // A list of named things from a list or a name-keyed dict (`{"artist": "Artist"}`: a ref's target).
  function asList(x) {
    if (!x) return [];
    if (Array.isArray(x)) return x;
    return Object.entries(x).map(([name, v]) => Object.assign({ name }, v && typeof v === "object" ? v : { value: v }));
  }
  function normalizeTable(t) {
    const fields = asList(t.fields).map((f) => ({
      name: f.name, type: f.type || f.value || "", nullable: !!(f.nullable || f.null),
      enum: f.enum || f.values || null, key: !!(f.key || f.primary_key),
      readOnly: f.writable === false || !!(f.read_only || f.generated), raw: f,
    }));
    const key = t.key || t.primary_key || fields.filter((f) => f.key).map((f) => f.name);
    for (const f of fields) if (key.includes(f.name)) f.key = true;
    const hidden = Array.isArray(t.hidden) ? t.hidden.length : (t.hidden_count ?? t.hidden ?? 0);
    const raw = String(t.mode || (t.rw ? "readWrite" : "readOnly"));
    const writable = /rw|write/i.test(raw) && !/read-?only|^ro$/i.test(raw);
    const mode = writable ? "read-write" : /none/i.test(raw) ? "none" : "read-only";
    const target = (r) => r.table || r.target || r.source || r.value || "?";
    return {
      name: t.name, url: t.url || API + "/" + encodeURIComponent(t.name), mode, writable, fields,
      key: Array.isArray(key) ? key : [key],
      refs: asList(t.refs).map((r) => ({ name: r.name, table: target(r) })),
      backrefs: asList(t.backrefs).map((r) => ({ name: r.name, table: target(r) })),
      hidden, notices: t.notices || [], raw: t,
    };
  }
  async function loadSchema() {
    const res = await request("GET", API + "/");
    if (!res.ok) throw new Error(errorText(res));
    const j = res.json || {};
    state.schema = j;
    state.tables = new Map(asList(j.tables || j).map(normalizeTable).map((t) => [t.name, t]));
    const jump = $("#table-jump");
    jump.replaceChildren(h("option", { value: "" }, "(choose)"),
      ...[...state.tables.keys()].map((n) => h("option", { value: n }, n)));
  }
  $("#table-jump").addEventListener("change", (e) => { if (e.target.value) location.hash = "#/table/" + e.target.value; });

  // ---- values ------------------------------------------------------------------------------
  function isLink(v) {
    return (typeof v === "string" && v.startsWith(API + "/")) ||
      (v && typeof v === "object" && !Array.isArray(v) && typeof (v.url || v.href) === "string");
  }
  function linkURL(v) { return typeof v === "string" ? v : v.url || v.href; }
  // A REST URL as a console address: a row (/api/t/k) or a filtered list (/api/t?…).
  function consoleHash(url) {
    const u = new URL(url, location.href);
    const rest = u.pathname.slice(API.length + 1);
    const parts = rest.split("/").filter(Boolean);
    if (parts.length <= 1) return "#/table/" + parts[0] + u.search;
    return "#/row/" + rest;
  }
  function display(v, field) {
    if (v === null || v === undefined) return h("span", { class: "null" }, "null");
    if (isLink(v)) {
      const url = linkURL(v);
      const label = (typeof v === "object" && (v.title || v.label)) || url.slice(API.length + 1);
      return h("a", { href: consoleHash(url) }, label);
    }
    if (typeof v === "object") return JSON.stringify(v);
    if (field && /bytes|blob/i.test(field.type)) return "(" + String(v).length + " base64 chars)";
    return String(v);
  }
  function rowPath(table, row) {
    const self = row._url || row._self || row["@url"];
    if (typeof self === "string") return self.slice(API.length + 1);
    if (!table.key.length || table.key.some((k) => row[k] === undefined)) return null;
    return table.name + "/" + table.key.map((k) => encodeURIComponent(row[k])).join("/");
  }
  function rowsOf(json) {
    if (Array.isArray(json)) return json;
    return (json && (json.rows || json.items || json.data)) || [];
  }
  function nextLink(res) {
    const link = res.headers.get("Link") || "";
    const m = link.match(/<([^>]+)>\s*;\s*rel="?next"?/);
    if (m) return m[1];
    return res.json && !Array.isArray(res.json) && res.json.next ? res.json.next : null;
  }

  // ---- views ---------------------------------------------------------------------------
  function setView(node, info) {
    state.view = info;
    state.shown = info.shown || new Map();
    $("#view").replaceChildren(node);
    focusHeading();
  }
  function modeBadge(t) { return h("span", { class: t.writable ? "badge rw" : "badge" }, t.mode); }

  function tablesView() {
    const cards = [...state.tables.values()].map((t) => h("section", { class: "card", "aria-labelledby": "t-" + t.name },
      h("h2", { id: "t-" + t.name }, h("a", { href: "#/table/" + t.name }, t.name), modeBadge(t)),
      h("table", {}, h("caption", { class: "muted" }, "fields"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "name"), h("th", { scope: "col" }, "type"),
          h("th", { scope: "col" }, "null"))),
        h("tbody", {}, t.fields.map((f) => h("tr", {}, h("td", {}, f.name, f.key ? h("span", { class: "badge" }, "key") : ""),
          h("td", {}, f.type, f.enum ? " (" + f.enum.join(", ") + ")" : ""), h("td", {}, f.nullable ? "yes" : "no"))))),
      t.refs.length ? h("p", {}, "refs: ", t.refs.map((r) => r.name + " → " + r.table).join(", ")) : null,
      t.backrefs.length ? h("p", {}, "backrefs: ", t.backrefs.map((r) => r.name + " ← " + r.table).join(", ")) : null,
      h("p", { class: "muted" }, "hidden columns: " + t.hidden),
      t.notices.length ? h("ul", {}, t.notices.map((n) => h("li", { class: "notice" }, "notice: " + n))) : null));
    const notices = (state.schema && state.schema.notices) || [];
    setView(h("div", {}, h("h1", {}, "Exported tables"),
      notices.length ? h("ul", {}, notices.map((n) => h("li", { class: "notice" }, "notice: " + n))) : null,
      h("div", { class: "tables" }, cards)), { kind: "tables" });
  }

  const OPS = [["eq", "="], ["neq", "≠"], ["lt", "<"], ["lte", "≤"], ["gt", ">"], ["gte", "≥"], ["icontains", "contains"],
    ["iprefix", "starts with"], ["like", "like"], ["ilike", "ilike"], ["in", "in (a,b,…)"], ["is_null", "is null"],
    ["not_null", "is not null"]];
  function filterParam(field, op, value) {
    if (op === "is_null") return [field, "is.null"];
    if (op === "not_null") return [field, "not.is.null"];
    if (op === "in") return [field, "in.(" + value + ")"];
    return [field, op + "." + value];
  }
  const CONTROL = new Set(["order", "limit", "after", "count", "select"]);

  async function tableView(name, search) {
    const t = state.tables.get(name);
    if (!t) return notFound("table " + name);
    const params = new URLSearchParams(search);
    const filters = [...params].filter(([k]) => !CONTROL.has(k));
    const res = await request("GET", t.url + (search ? "?" + search : ""));
    const go = (p) => { location.hash = "#/table/" + name + (p.toString() ? "?" + p : ""); };
    const fieldSel = h("select", { id: "f-field" }, t.fields.map((f) => h("option", { value: f.name }, f.name)),
      t.refs.map((r) => h("option", { value: r.name }, r.name + " (ref)")));
    const opSel = h("select", { id: "f-op" }, OPS.map(([v, l]) => h("option", { value: v }, l)));
    const valueIn = h("input", { id: "f-value", type: "search", placeholder: "value" });
    const form = h("form", { class: "filters", role: "search", "aria-label": "Filter rows", onsubmit: (e) => {
      e.preventDefault();
      const p = new URLSearchParams(search);
      p.delete("after");
      p.append(...filterParam(fieldSel.value, opSel.value, valueIn.value));
      go(p);
    } }, h("div", { class: "field" }, h("label", { for: "f-field" }, "Field"), fieldSel),
      h("div", { class: "field" }, h("label", { for: "f-op" }, "Operator"), opSel),
      h("div", { class: "field" }, h("label", { for: "f-value" }, "Value"), valueIn),
      h("button", { type: "submit", class: "primary" }, "Add filter"));
    opSel.value = "icontains";
    const chips = h("ul", { class: "chips", "aria-label": "Active filters" }, filters.map(([k, v], i) => h("li", {},
      k + " " + v, h("button", { type: "button", "aria-label": "Remove filter " + k + " " + v, onclick: () => {
        const p = new URLSearchParams();
        filters.forEach((f, j) => { if (j !== i) p.append(...f); });
        for (const c of CONTROL) if (params.has(c) && c !== "after") p.set(c, params.get(c));
        go(p);
      } }, "×"))));
    const orderSel = h("select", { id: "o-field" }, h("option", { value: "" }, "(key order)"),
      t.fields.map((f) => h("option", { value: f.name }, f.name)));
    const desc = h("input", { id: "o-desc", type: "checkbox" });
    const limitIn = h("input", { id: "o-limit", type: "number", min: "1", max: "1000", value: params.get("limit") || "25" });
    const order = params.get("order") || "";
    orderSel.value = order.replace(/^-/, "").split(",")[0];
    desc.checked = order.startsWith("-");
    const bar = h("form", { class: "bar", "aria-label": "Order and page size", onsubmit: (e) => {
      e.preventDefault();
      const p = new URLSearchParams(search);
      p.delete("after");
      if (orderSel.value) p.set("order", (desc.checked ? "-" : "") + orderSel.value); else p.delete("order");
      p.set("limit", limitIn.value || "25");
      go(p);
    } }, h("div", { class: "field" }, h("label", { for: "o-field" }, "Order by"), orderSel),
      h("div", { class: "field" }, h("label", { for: "o-desc" }, "Descending"), desc),
      h("div", { class: "field" }, h("label", { for: "o-limit" }, "Rows per page"), limitIn),
      h("button", { type: "submit" }, "Apply"));
    const countOut = h("span", { id: "count", "aria-live": "polite" });
    const count = async (how) => {
      const p = new URLSearchParams(search);
      ["after", "order", "limit"].forEach((c) => p.delete(c));
      p.set("count", how);
      p.set("limit", "1");
      const r = await request("GET", t.url + "?" + p);
      if (!r.ok) { countOut.textContent = errorText(r); return; }
      const body = r.json && !Array.isArray(r.json) ? r.json : {};
      const range = (r.headers.get("Content-Range") || "").split("/")[1];
      const n = body.count ?? r.headers.get("X-Total-Count") ?? range;
      const flag = r.headers.get("X-Count-Estimated");
      const estimated = body.estimated ?? (flag !== null ? flag === "true" : how === "estimated");
      countOut.textContent = n === undefined ? "no count in the reply" : (estimated ? "about " : "") + n + " rows" +
        (estimated ? " (estimated)" : " (exact)");
    };
    const countBar = h("div", { class: "bar" }, h("button", { type: "button", onclick: () => count("exact") }, "Count rows"),
      h("button", { type: "button", onclick: () => count("estimated") }, "Estimate count"), countOut);
    const head = h("div", {}, h("h1", {}, name, modeBadge(t)),
      t.writable ? h("p", {}, h("a", { href: "#/new/" + name }, "New row")) : null, form, chips, bar, countBar);
    if (!res.ok) { setView(h("div", {}, head, h("div", { class: "alert" }, errorText(res))), { kind: "table", name }); return; }
    const rows = rowsOf(res.json);
    const cols = t.fields.map((f) => f.name);
    for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k) && !k.startsWith("_")) cols.push(k);
    const byName = new Map(t.fields.map((f) => [f.name, f]));
    const shown = new Map();
    const tbody = h("tbody", {}, rows.map((r) => {
      const path = rowPath(t, r);
      if (path) shown.set(path, r);
      return h("tr", { "data-path": path }, h("td", {}, path ? h("a", { href: "#/row/" + path, "aria-label": "Open row " + path }, "open") : ""),
        cols.map((c) => h("td", { class: r[c] === null ? "null" : typeof r[c] === "number" ? "num" : null },
          display(r[c], byName.get(c)))));
    }));
    const next = nextLink(res);
    const pager = h("div", { class: "bar" },
      params.has("after") ? h("button", { type: "button", onclick: () => { const p = new URLSearchParams(search); p.delete("after"); go(p); } }, "First page") : null,
      next ? h("button", { type: "button", id: "next-page", onclick: () => {
        const p = new URL(next, location.href).searchParams;
        const q = new URLSearchParams(search);
        q.set("after", p.get("after") || "");
        go(p.get("after") ? q : p);
      } }, "Next page") : h("span", { class: "muted" }, "last page"),
      h("span", { class: "muted" }, rows.length + " rows on this page"));
    setView(h("div", {}, head, h("div", { class: "rows" }, h("table", { id: "rows" },
      h("caption", { class: "muted" }, "Rows of " + name),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, h("span", { class: "muted" }, "row")), cols.map((c) => h("th", { scope: "col" }, c)))),
      tbody)), pager), { kind: "table", name, search, shown });
  }

  async function rowView(path, note) {
    const name = decodeURIComponent(path.split("/")[0]);
    const t = state.tables.get(name);
    if (!t) return notFound("table " + name);
    const res = await request("GET", API + "/" + path);
    if (!res.ok) {
      setView(h("div", {}, h("h1", {}, name + " " + path.slice(name.length + 1)), h("div", { class: "alert" }, errorText(res))),
        { kind: "row", path });
      return;
    }
    const row = res.json || {};
    const etag = res.headers.get("ETag");
    const byName = new Map(t.fields.map((f) => [f.name, f]));
    const items = Object.entries(row).filter(([k]) => !k.startsWith("_") || k === "_backrefs");
    const backrefs = row._backrefs || row._links || {};
    const dl = h("dl", { class: "row", id: "row-fields" }, items.filter(([k]) => k !== "_backrefs").map(([k, v]) =>
      [h("dt", {}, k), h("dd", { "data-field": k }, display(v, byName.get(k)))]));
    const backList = Object.entries(typeof backrefs === "object" ? backrefs : {}).map(([k, v]) =>
      h("li", {}, h("a", { href: consoleHash(linkURL(v)) }, k)));
    for (const b of t.backrefs) {
      if (backrefs[b.name] || row[b.name] !== undefined) continue;
      backList.push(h("li", {}, b.name, " ", h("span", { class: "muted" }, "(no URL in the reply)")));
    }
    const actions = t.writable ? h("div", { class: "bar" },
      h("button", { type: "button", id: "edit", onclick: () => editView(t, path, row, etag) }, "Edit"),
      deleteButton(t, path, etag)) : null;
    setView(h("div", { "data-path": path, class: "row-view" },
      h("h1", {}, name + " " + path.slice(name.length + 1), modeBadge(t)),
      note ? h("div", { class: "alert info" }, note) : null,
      h("div", { id: "row-banner" }), dl,
      backList.length ? [h("h2", {}, "Backrefs"), h("ul", { id: "backrefs" }, backList)] : null,
      actions, h("p", {}, h("a", { href: "#/table/" + name }, "All rows of " + name))),
      { kind: "row", path, etag, shown: new Map([[path, row]]) });
  }

  function deleteButton(t, path, etag) {
    const wrap = h("span", {});
    const ask = h("button", { type: "button", class: "danger", onclick: () => {
      wrap.replaceChildren(h("span", {}, "Delete this row? "),
        h("button", { type: "button", class: "danger", id: "confirm-delete", onclick: async () => {
          const res = await request("DELETE", API + "/" + path, undefined, etag ? { "If-Match": etag } : {});
          if (res.ok) { flash = { text: "Deleted " + path, info: true }; location.hash = "#/table/" + t.name; }
          else if (res.status === 412) rowView(path, "The row changed since you opened it; here it is now. Delete again if you still want to.");
          else showAlert(errorText(res));
        } }, "Yes, delete"), " ",
        h("button", { type: "button", onclick: () => wrap.replaceChildren(ask) }, "Cancel"));
      $("#confirm-delete").focus();
    } }, "Delete");
    wrap.append(ask);
    return wrap;
  }

  function inputFor(f, value, id) {
    if (f.enum) {
      const sel = h("select", { id }, f.enum.map((e) => h("option", { value: e }, e)));
      sel.value = value ?? "";
      return sel;
    }
    if (/bool/i.test(f.type)) {
      const sel = h("select", { id }, h("option", { value: "true" }, "true"), h("option", { value: "false" }, "false"));
      sel.value = String(value);
      return sel;
    }
    const text = value === null || value === undefined ? "" : isLink(value) ? linkURL(value)
      : typeof value === "object" ? JSON.stringify(value) : String(value);
    if (/text|json/i.test(f.type) && text.length > 60) return h("textarea", { id, rows: "3", cols: "40" }, text);
    const input = h("input", { id, type: "text", value: text });
    if (/int|float|double|real|decimal|numeric/i.test(f.type)) input.setAttribute("inputmode", "decimal");
    return input;
  }
  function readInput(f, el, nullBox) {
    if (nullBox && nullBox.checked) return null;
    const s = el.value;
    if (/bool/i.test(f.type)) return s === "true";
    if (/^(small|big|tiny|medium)?int|integer|serial/i.test(f.type) && /^-?\d+$/.test(s)) return Number(s);
    if (/float|double|real/i.test(f.type) && s.trim() !== "" && !isNaN(Number(s))) return Number(s);
    if (/json/i.test(f.type)) { try { return JSON.parse(s); } catch (_) { return s; } }
    return s;
  }
  // The form of a row's editable fields (edit and new). Only fields whose control differs from
  // `values` are submitted. `current`: the stored row, shown beside fields that differ from it.
  function rowForm(t, values, onSubmit, submitLabel, current, editing) {
    const fields = t.fields.filter((f) => !f.readOnly && !(editing && f.key));
    const controls = new Map();
    const form = h("form", { class: "edit", id: "row-form", onsubmit: async (e) => {
      e.preventDefault();
      const out = {};
      for (const [name, [f, el, nullBox, initial]] of controls) {
        const v = readInput(f, el, nullBox);
        if (JSON.stringify(v) !== JSON.stringify(initial)) out[name] = v;
      }
      await onSubmit(out, form);
    } });
    for (const f of fields) {
      const id = "in-" + f.name;
      const v = values[f.name];
      const el = inputFor(f, v, id);
      const nullBox = f.nullable ? h("input", { type: "checkbox", id: id + "-null", "aria-label": f.name + " is null" }) : null;
      if (nullBox) nullBox.checked = v === null;
      controls.set(f.name, [f, el, nullBox, readInput(f, el, nullBox)]);
      const differs = current && JSON.stringify(current[f.name]) !== JSON.stringify(v);
      const cur = differs ? h("span", { class: "current" }, "now: ", display(current[f.name], f)) : h("span", {});
      form.append(h("label", { for: id }, f.name + (f.type ? " (" + f.type + ")" : "")),
        h("span", {}, el, nullBox ? [" ", nullBox, h("label", { for: id + "-null" }, " null")] : null), cur);
    }
    form.append(h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, submitLabel),
      h("button", { type: "button", onclick: () => history.back() }, "Cancel")));
    return form;
  }

  // Edits `row` (read with `etag`). `pending`: the edit a stale save left (412), shown over the
  // current row and sent again with the current ETag.
  function editView(t, path, row, etag, pending, message) {
    showAlert("");
    const values = Object.assign({}, row, pending || {});
    const form = rowForm(t, values, async (changes) => {
      const body = Object.assign({}, pending || {}, changes);
      if (!Object.keys(body).length) { showAlert("Nothing changed."); return; }
      const res = await request("PATCH", API + "/" + path, body, etag ? { "If-Match": etag } : {});
      if (res.ok) { showAlert("Saved.", true); rowView(path); return; }
      if (res.status === 412) {
        const cur = await request("GET", API + "/" + path);
        if (!cur.ok) { showAlert(errorText(cur)); return; }
        editView(t, path, cur.json, cur.headers.get("ETag"), body,
          "Stale edit refused: the row was changed by someone else since you opened it (" + errorText(res) +
          "). Its current values are shown beside your edit; save again to apply your edit to the current row.");
        return;
      }
      showAlert(errorText(res));
    }, "Save", pending ? row : null, true);
    setView(h("div", { "data-path": path }, h("h1", {}, "Edit " + path),
      message ? h("div", { class: "alert", id: "stale" }, message) : null, form), { kind: "edit", path });
  }

  function newView(name) {
    const t = state.tables.get(name);
    if (!t) return notFound("table " + name);
    const form = rowForm(t, {}, async (values) => {
      const res = await request("POST", t.url, values);
      if (!res.ok) { showAlert(errorText(res)); return; }
      const created = Array.isArray(res.json) ? res.json[0] : res.json;
      const loc = res.headers.get("Location");
      const path = loc ? loc.slice(loc.indexOf(API + "/") + API.length + 1) : created && rowPath(t, created);
      flash = { text: "Created " + (path || "a row"), info: true };
      location.hash = path ? "#/row/" + path : "#/table/" + name;
    }, "Create");
    setView(h("div", {}, h("h1", {}, "New row in " + name), form), { kind: "new", name });
  }

  function notFound(what) { setView(h("div", {}, h("h1", {}, "Not found"), h("p", {}, "No " + what + ".")), { kind: "none" }); }

  // A message for the page the next navigation shows ("Deleted …").
  let flash = null;
  async function route() {
    showAlert(flash ? flash.text : "", flash && flash.info);
    flash = null;
    const hash = location.hash.replace(/^#/, "") || "/";
    try {
      if (!state.schema) await loadSchema();
      const [p, search] = hash.split("?");
      const parts = p.split("/").filter(Boolean);
      if (parts[0] === "table" && parts[1]) await tableView(decodeURIComponent(parts[1]), search || "");
      else if (parts[0] === "row" && parts.length > 2) await rowView(parts.slice(1).join("/"));
      else if (parts[0] === "new" && parts[1]) newView(decodeURIComponent(parts[1]));
      else tablesView();
      $("#table-jump").value = parts[0] === "table" ? decodeURIComponent(parts[1] || "") : "";
    } catch (e) {
      setView(h("div", {}, h("h1", {}, "Cannot load"), h("div", { class: "alert" }, String(e.message || e))), { kind: "error" });
    }
  }
  window.addEventListener("hashchange", route);

  // ---- live: GET /events ------------------------------------------------------------------
  function setStatus(text) { $("#status").textContent = "Live updates: " + text; }
  function markChanged(path, what) {
    for (const el of document.querySelectorAll('[data-path="' + CSS.escape(path) + '"]')) {
      if (el.tagName === "TR") {
        if (el.classList.contains("changed")) continue;
        el.classList.add("changed");
        el.cells[0].append(" ", h("button", { type: "button", class: "refresh", "aria-label": "Row " + path + " " + what + "; refresh", onclick: () => route() }, what + " — refresh"));
      } else if (el.classList.contains("row-view")) {
        const banner = $("#row-banner");
        banner.replaceChildren(h("div", { class: "changed-banner", role: "status" }, "This row was " + what + " by another client. ",
          h("button", { type: "button", id: "refresh-row", onclick: () => rowView(path) }, "Refresh")));
      }
    }
  }
  function onBroadcast(msg) {
    const d = msg && msg.data;
    if (!d || d._m !== "invalid_key") return;
    // Wire values: a list is {"_o": "LIST", "_d": [...]}.
    const unlist = (v) => (v && v._o === "LIST" && Array.isArray(v._d) ? v._d : v);
    const key = d._key && unlist(d._key.k);
    const meta = d._meta && unlist(d._meta.k);
    // The REST face names the row's URL in the envelope (docs/rest.md#live-invalidations).
    const url = msg.url;
    if (d._resync) { setStatus("connected; some changes were missed — refresh what you see"); return; }
    if (key && (key[0] === "root" || key.length === 2)) { schemaReloaded(); return; }
    if (key && key.length >= 3) {
      const path = typeof url === "string" ? url.slice(API.length + 1) :
        key.slice(1).map((k, i) => (i === 0 ? k : encodeURIComponent(k))).join("/");
      const names = Object.keys(d).filter((k) => !k.startsWith("_"));
      // A row's update lists [old, new] per changed field, its delete [value] per field.
      const deleted = names.every((k) => { const l = unlist(d[k]); return !Array.isArray(l) || l.length < 2; });
      if (deleted) { markChanged(path, "deleted"); return; }
      // Our own write (or one already on screen) brings nothing new: every new value is shown.
      const row = state.shown.get(path);
      const newest = (v) => { const l = unlist(v); return Array.isArray(l) ? l[l.length - 1] : l; };
      if (row && names.every((k) => k in row && String(newest(d[k])) === String(row[k]))) return;
      markChanged(path, "changed");
    } else if (!key && meta) {
      const table = meta[meta.length - 1];
      if (state.view && state.view.kind === "table" && state.view.name === table) {
        const rows = $("#rows caption");
        if (rows && !$("#new-rows")) rows.append(" ", h("button", { type: "button", id: "new-rows", onclick: () => route() }, "new rows — refresh"));
      }
    }
  }
  async function schemaReloaded() {
    $("#schema-status").textContent = "schema reloaded at " + new Date().toLocaleTimeString();
    state.schema = null;
    try { await loadSchema(); } catch (_) { /* shown on the next navigation */ }
  }
  async function listen() {
    let delay = 500;
    for (;;) {
      try {
        const headers = authHeaders({ Accept: "text/event-stream" });
        if (state.lastEventID) headers["Last-Event-ID"] = state.lastEventID;
        const res = await fetch("/events", { headers, cache: "no-store" });
        if (res.status === 401) { setStatus("needs the token"); await askToken(); continue; }
        if (!res.ok || !res.body) throw new Error("HTTP " + res.status);
        setStatus("connecting");
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "", ev = { data: [] };
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.search(/\r?\n/)) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + (buf[i] === "\r" ? 2 : 1));
            if (line === "") { dispatch(ev); ev = { data: [] }; delay = 500; continue; }
            if (line.startsWith(":")) continue;
            const c = line.indexOf(":");
            const field = c < 0 ? line : line.slice(0, c);
            const val = c < 0 ? "" : line.slice(c + 1).replace(/^ /, "");
            if (field === "data") ev.data.push(val);
            else if (field === "event") ev.event = val;
            else if (field === "id") ev.id = val;
          }
        }
        setStatus("disconnected; reconnecting");
      } catch (e) {
        setStatus("disconnected (" + (e.message || e) + "); reconnecting");
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
  function dispatch(ev) {
    if (ev.id !== undefined) state.lastEventID = ev.id;
    if (!ev.data.length && !ev.event) return;
    let data = null;
    try { data = JSON.parse(ev.data.join("\n")); } catch (_) { return; }
    if (ev.event === "ready" || ev.event === "resync") {
      const restarted = state.instance && data.instance !== state.instance;
      state.instance = data.instance;
      setStatus("connected" + (ev.event === "resync" || restarted ? " (resynchronised: refresh what you see)" : ""));
      return;
    }
    onBroadcast(data);
  }

  route();
  listen();
})();
