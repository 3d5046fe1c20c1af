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

  function ready() {
    elements();
    bell();
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
