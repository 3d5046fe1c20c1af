// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  // The bell's unread count (the page works without it; the inbox page shows it too).
  function bell() {
    var badge = document.querySelector("[data-unread]");
    if (!badge || !window.fetch) return;
    fetch("/api/v1/notifications", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (v) {
        if (v && v.unread > 0) {
          badge.textContent = v.unread > 99 ? "99+" : String(v.unread);
          badge.hidden = false;
        }
      })
      .catch(function () {});
  }


  // The live board: follows /api/v1/board/events and moves, adds and removes cards
  // without reloading; registered cards dispatch through the API.
  function board(root) {
    if (!window.EventSource || !window.fetch) return;
    var t = function (k) { return root.getAttribute("data-t-" + k) || ""; };
    var live = document.querySelector("[data-board-live]");
    var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
    var crews = {};

    function el(tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text != null) e.textContent = text;
      return e;
    }
    function ageText(secs) {
      var h = Math.floor(secs / 3600), m = Math.floor((secs % 3600) / 60);
      if (zh) return h ? h + "小时" + m + "分" : m + "分钟";
      return h ? h + " h " + m + " min" : m + " min";
    }
    function ageOf(card) {
      var r = Date.parse(card.getAttribute("data-reported") || "");
      return isNaN(r) ? 0 : Math.max(0, Math.floor((Date.now() - r) / 1000));
    }
    function counts() {
      var total = 0, overdue = 0;
      root.querySelectorAll("[data-status]").forEach(function (col) {
        var n = col.querySelectorAll(".board-card").length;
        total += n;
        var c = col.querySelector("[data-col-count]");
        if (c) c.textContent = String(n);
      });
      overdue = root.querySelectorAll(".board-card--overdue").length;
      var tot = document.querySelector("[data-testid='board-total']");
      if (tot) tot.textContent = t("total").replace("{total}", String(total));
      var od = document.querySelector("[data-board-overdue]");
      if (od) od.textContent = t("overdue-count").replace("{count}", String(overdue));
    }
    function crewOf(unit) {
      if (!crews[unit]) {
        crews[unit] = fetch("/api/v1/units/" + unit + "/officers", { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .catch(function () { return []; });
      }
      return crews[unit];
    }
    function dispatchForm(row) {
      var d = el("details", "board-dispatch");
      d.setAttribute("data-testid", "card-dispatch");
      d.appendChild(el("summary", "btn btn--primary", t("dispatch")));
      var f = el("form", "form");
      f.method = "post";
      f.action = "/incidents/" + row.id + "/steps";
      f.setAttribute("novalidate", "");
      f.setAttribute("data-board-dispatch", "");
      [["csrf", root.getAttribute("data-csrf") || ""], ["action", "dispatch"], ["version", String(row.version)], ["return", "board"]].forEach(function (kv) {
        var i = el("input"); i.type = "hidden"; i.name = kv[0]; i.value = kv[1]; f.appendChild(i);
      });
      var fs = el("fieldset", "field");
      fs.appendChild(el("legend", null, t("officers")));
      var checks = el("div", "checks");
      fs.appendChild(checks);
      f.appendChild(fs);
      crewOf(row.unit_id).then(function (list) {
        if (!list.length) checks.appendChild(el("p", "muted", t("no-crew")));
        list.forEach(function (o) {
          var l = el("label", "check");
          var c = el("input"); c.type = "checkbox"; c.name = "officers"; c.value = o.id;
          l.appendChild(c);
          l.appendChild(document.createTextNode(" " + o.display_name + (o.badge_no ? " (" + o.badge_no + ")" : "")));
          checks.appendChild(l);
        });
      });
      var pf = el("div", "field");
      var pl = el("label", null, t("patrol") + " ");
      var pi = el("input"); pi.name = "patrol_unit"; pi.type = "text"; pi.maxLength = 50; pi.autocomplete = "off";
      pl.appendChild(pi); pf.appendChild(pl); f.appendChild(pf);
      var err = el("p", "field-error"); err.hidden = true; err.setAttribute("data-form-error", ""); f.appendChild(err);
      var b = el("button", "btn btn--primary", t("send")); b.type = "submit"; f.appendChild(b);
      d.appendChild(f);
      return d;
    }
    function card(row) {
      var li = el("li", "board-card" + (row.overdue ? " board-card--overdue" : ""));
      li.setAttribute("data-id", row.id);
      li.setAttribute("data-version", String(row.version));
      li.setAttribute("data-unit", row.unit_id);
      li.setAttribute("data-reported", row.reported_at);
      if (row.target_minutes != null) li.setAttribute("data-target", String(row.target_minutes));
      li.setAttribute("data-testid", "card");
      var head = el("div", "board-card-head");
      var a = el("a", null, row.number); a.href = "/incidents/" + row.id; a.setAttribute("data-testid", "card-number");
      head.appendChild(a);
      var tag = el("span", "tag" + (row.overdue ? " tag--error" : ""), row.target_status_name);
      tag.setAttribute("data-card-target", "");
      head.appendChild(tag);
      li.appendChild(head);
      li.appendChild(el("p", "board-card-what", row.category_name + " · " + row.unit_name));
      li.appendChild(el("p", "board-card-where", row.address));
      var when = el("p", "board-card-when muted");
      when.appendChild(el("span", "nowrap", row.reported_at.slice(5, 16).replace("T", " ")));
      when.appendChild(document.createTextNode(" · "));
      var age = el("span", null, ageText(row.age_secs)); age.setAttribute("data-card-age", "");
      when.appendChild(age);
      if (row.patrol_unit) when.appendChild(document.createTextNode(" · " + row.patrol_unit));
      li.appendChild(when);
      if (row.status === "registered") li.appendChild(dispatchForm(row));
      return li;
    }
    function place(row) {
      var old = root.querySelector(".board-card[data-id='" + row.id + "']");
      if (old) {
        // An older event than what is shown changes nothing.
        if (Number(old.getAttribute("data-version")) > row.version) return;
        old.remove();
      }
      if (row.open) {
        var list = root.querySelector("[data-status='" + row.status + "'] [data-col-list]");
        if (list) {
          var c = card(row);
          if (!old) c.classList.add("board-card--new");
          // Overdue first, then oldest first: an overdue card goes after the overdue ones.
          if (row.overdue) {
            var firstNormal = list.querySelector(".board-card:not(.board-card--overdue)");
            list.insertBefore(c, firstNormal);
          } else {
            list.appendChild(c);
          }
        }
      }
      counts();
    }
    function reload() {
      fetch("/api/v1/board", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (b) {
          if (!b) return;
          root.querySelectorAll("[data-col-list]").forEach(function (l) { l.textContent = ""; });
          b.groups.forEach(function (g) { g.items.forEach(place); });
          counts();
        })
        .catch(function () {});
    }
    // Ages tick, and a running target turns overdue, without a server round trip.
    function tick() {
      root.querySelectorAll(".board-card").forEach(function (c) {
        var secs = ageOf(c);
        var a = c.querySelector("[data-card-age]");
        if (a) a.textContent = ageText(secs);
        var target = c.getAttribute("data-target");
        var col = c.closest("[data-status]");
        var waiting = col && (col.getAttribute("data-status") === "registered" || col.getAttribute("data-status") === "dispatched");
        if (target && waiting && secs > Number(target) * 60 && !c.classList.contains("board-card--overdue")) {
          c.classList.add("board-card--overdue");
          var tag = c.querySelector("[data-card-target]");
          if (tag) { tag.textContent = t("overdue"); tag.classList.add("tag--error"); }
        }
      });
      counts();
    }
    setInterval(tick, 30000);

    var first = true;
    var es = new EventSource("/api/v1/board/events");
    es.addEventListener("ready", function () {
      if (live) { live.textContent = t("live"); live.setAttribute("data-on", ""); }
      root.setAttribute("data-live", "on");
      // After a reconnection, what happened meanwhile is read again.
      if (!first) reload();
      first = false;
    });
    es.addEventListener("incident", function (e) {
      try { place(JSON.parse(e.data)); } catch (x) { /* a broken event changes nothing */ }
    });
    es.addEventListener("resync", reload);
    es.onerror = function () {
      if (live) { live.textContent = t("offline"); live.removeAttribute("data-on"); }
      root.removeAttribute("data-live");
    };

    // Dispatch through the API; the stream then moves the card.
    root.addEventListener("submit", function (e) {
      var f = e.target;
      if (!f.hasAttribute || !f.hasAttribute("data-board-dispatch")) return;
      e.preventDefault();
      if (f.dataset.busy) return;
      f.dataset.busy = "1";
      var li = f.closest(".board-card");
      var officers = [];
      f.querySelectorAll("input[name=officers]:checked").forEach(function (c) { officers.push(c.value); });
      var body = { action: "dispatch", version: Number(li.getAttribute("data-version")), officers: officers };
      var patrol = f.querySelector("input[name=patrol_unit]");
      if (patrol && patrol.value.trim()) body.patrol_unit = patrol.value.trim();
      var err = f.querySelector("[data-form-error]");
      fetch("/api/v1/incidents/" + li.getAttribute("data-id") + "/transitions", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body)
      }).then(function (r) {
        return r.json().then(function (v) { return { ok: r.ok, v: v }; });
      }).then(function (res) {
        delete f.dataset.sent;
        delete f.dataset.busy;
        if (res.ok) return;
        var msgs = (res.v && res.v.errors && res.v.errors.length)
          ? res.v.errors.map(function (x) { return x.message; }) : [res.v && (res.v.detail || res.v.title) || "?"];
        if (err) { err.textContent = msgs.join("；"); err.hidden = false; }
      }).catch(function () {
        delete f.dataset.sent;
        delete f.dataset.busy;
        f.submit();
      });
    });
  }

  function ready() {
    elements();
    bell();
    var b = document.querySelector("[data-board]");
    if (b) board(b);
    // Bring the error summary into view and to the screen reader's attention.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", function (e) {
        var a = e.target.closest("a[href^='#']");
        if (!a) return;
        var field = document.getElementById(a.getAttribute("href").slice(1));
        if (field) {
          e.preventDefault();
          var label = document.querySelector("label[for='" + field.id + "']");
          (label || field).scrollIntoView({ block: "start" });
          field.focus({ preventScroll: true });
        }
      });
    }

    // Ctrl+Enter (or Cmd+Enter) in a text area submits its form.
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && t.tagName === "TEXTAREA" && t.form) {
        e.preventDefault();
        if (t.form.requestSubmit) t.form.requestSubmit(); else t.form.submit();
      }
    });

    // On intake with a station picker, offer only the chosen station's districts.
    var unit = document.getElementById("unit_id");
    var district = document.getElementById("district_id");
    if (unit && district) {
      var narrow = function () {
        district.querySelectorAll("optgroup[data-unit]").forEach(function (g) {
          var show = !unit.value || g.getAttribute("data-unit") === unit.value;
          g.hidden = !show;
          g.querySelectorAll("option").forEach(function (o) {
            o.disabled = !show;
            if (!show && o.selected) district.value = "";
          });
        });
      };
      unit.addEventListener("change", narrow);
      narrow();
    }

    // Penalty calculator: choosing an article opens it; only the chosen violation's and
    // tier's situations are offered.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
      sel.addEventListener("change", function () {
        if (sel.value && sel.form) sel.form.submit();
      });
    });
    var sit = document.getElementById("situation");
    var viol = document.getElementById("violation");
    var tier = document.getElementById("tier");
    if (sit && viol && tier) {
      var narrowSit = function () {
        var t = tier.value || "base";
        sit.querySelectorAll("optgroup[data-violation]").forEach(function (g) {
          var show = g.getAttribute("data-violation") === viol.value && g.getAttribute("data-tier") === t;
          g.hidden = !show;
          g.querySelectorAll("option").forEach(function (o) {
            o.disabled = !show;
            if (!show && o.selected) sit.value = "";
          });
        });
      };
      viol.addEventListener("change", narrowSit);
      tier.addEventListener("change", narrowSit);
      narrowSit();
    }

    // Standards: a chosen file is read into the text area (the form posts text).
    document.querySelectorAll("input[type=file][data-read-into]").forEach(function (input) {
      input.addEventListener("change", function () {
        var target = document.getElementById(input.getAttribute("data-read-into"));
        var file = input.files && input.files[0];
        if (!target || !file) return;
        var reader = new FileReader();
        reader.onload = function () { target.value = String(reader.result || ""); };
        reader.readAsText(file, "utf-8");
      });
    });

    // Print buttons on print views.
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });

    // A form is sent once, even when the button is pressed twice.
    document.querySelectorAll("form[method='post']").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (f.dataset.sent) { e.preventDefault(); return; }
        f.dataset.sent = "1";
      });
    });
  }

  // Coming back to a page from the history cache: its forms may be sent again.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach(function (f) {
      delete f.dataset.sent;
    });
  });

  // 要素提取: suggestions from the narrative being typed; the officer confirms one by
  // putting it into its field. Nothing is kept unless the form is filed.
  function elements() {
    var area = document.querySelector("textarea[data-elements]");
    var box = document.getElementById("elements");
    var texts = document.getElementById("elements-texts");
    if (!area || !box || !texts) return;
    var list = box.querySelector("ul");
    var timer = null;
    var seq = 0;
    var fields = { phone: "caller_phone", id_number: "caller_id_number", time: "reported_at" };
    function label(kind) { return texts.getAttribute("data-" + kind) || kind; }
    function show(items) {
      list.textContent = "";
      items.forEach(function (e) {
        var li = document.createElement("li");
        li.className = "chip";
        li.setAttribute("data-kind", e.kind);
        var k = document.createElement("span");
        k.className = "tag";
        k.textContent = label(e.kind);
        li.appendChild(k);
        var v = document.createElement("span");
        v.className = "mono";
        v.textContent = " " + (e.kind === "time" ? e.value.slice(0, 16).replace("T", " ") : e.value) + " ";
        li.appendChild(v);
        var target = fields[e.kind] && document.getElementById(fields[e.kind]);
        if (target) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "btn btn--small";
          b.textContent = texts.getAttribute("data-use-" + e.kind) || "";
          b.addEventListener("click", function () {
            target.value = e.kind === "time" ? e.value.slice(0, 16) : e.value;
            target.dispatchEvent(new Event("input", { bubbles: true }));
            b.textContent = texts.getAttribute("data-used") || "";
            b.disabled = true;
          });
          li.appendChild(b);
        }
        list.appendChild(li);
      });
      box.hidden = items.length === 0;
    }
    function ask() {
      var mine = ++seq;
      var reported = document.getElementById("reported_at");
      var body = { narrative: area.value };
      if (reported && reported.value) body.reported_at = reported.value;
      fetch(area.getAttribute("data-elements"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body)
      })
        .then(function (r) { return r.ok ? r.json() : { elements: [] }; })
        .then(function (j) { if (mine === seq) show(j.elements || []); })
        .catch(function () {});
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 350);
    });
    if (area.value) ask();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
