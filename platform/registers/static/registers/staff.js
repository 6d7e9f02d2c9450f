/* Staff pages: small helpers for keyboard work. Every page works without this file. */
(function () {
  "use strict";

  var MONTHS = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
    "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"];
  var MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  // The same rules as registers.forms.parse_be_date: d/m/BE year (or 2 digits), or ISO (CE).
  function parseBeDate(text) {
    var value = text.trim().replace(/[๐-๙]/g, function (d) { return String(d.charCodeAt(0) - 0x0e50); });
    var m = value.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/), y, mo, d;
    if (m) {
      y = +m[1]; mo = +m[2]; d = +m[3];
      if (y >= 2400) { y -= 543; }
    } else {
      m = value.match(/^(\d{1,2})\s*[\/.\-]\s*(\d{1,2})\s*[\/.\-]\s*(\d{2}|\d{4})$/);
      if (!m) { return null; }
      d = +m[1]; mo = +m[2]; y = +m[3];
      if (y < 100) { y += 2500; }
      if (y < 2400) { return null; }
      y -= 543;
    }
    var date = new Date(y, mo - 1, d);
    if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) { return null; }
    return date;
  }

  // Say which date was understood, in words, next to the field ("say what you chose").
  function previewDate(input) {
    var out = input.nextElementSibling;
    if (!out || !out.hasAttribute("data-be-preview")) {
      out = document.createElement("output");
      out.setAttribute("data-be-preview", "");
      out.setAttribute("aria-live", "polite");
      out.className = "be-preview";
      input.insertAdjacentElement("afterend", out);
    }
    var date = input.value.trim() ? parseBeDate(input.value) : null;
    var english = document.documentElement.lang === "en";
    if (!input.value.trim()) { out.textContent = ""; return; }
    if (!date) { out.textContent = english ? "?" : "รูปแบบวันที่ไม่ถูกต้อง"; out.classList.add("bad"); return; }
    out.classList.remove("bad");
    out.textContent = english
      ? "= " + date.getDate() + " " + MONTHS_EN[date.getMonth()] + " " + date.getFullYear() + " (BE " + (date.getFullYear() + 543) + ")"
      : "= " + date.getDate() + " " + MONTHS[date.getMonth()] + " " + (date.getFullYear() + 543);
  }

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[data-be-date]")) { previewDate(el); }
  });

  // Ctrl+Enter (or Cmd+Enter) submits a long form from anywhere, textareas included.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) { return; }
    var form = event.target.closest && event.target.closest("form[data-ctrl-enter]");
    if (form) {
      event.preventDefault();
      var first = form.querySelector("button[type=submit]");
      if (form.requestSubmit) { form.requestSubmit(first || undefined); } else { form.submit(); }
    }
  });

  // "+ อ้างถึง": a new empty row of the Django formset.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-formset-add]");
    if (!button) { return; }
    var set = button.closest("[data-formset]");
    var prefix = set.getAttribute("data-formset");
    var total = set.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = set.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var count = parseInt(total.value, 10);
    if (max && count >= parseInt(max.value, 10)) { return; }
    var html = set.querySelector("template[data-formset-empty]").innerHTML.replace(/__prefix__/g, String(count));
    var rows = set.querySelector("[data-formset-rows]");
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(count + 1);
    var firstInput = rows.lastElementChild.querySelector("input");
    if (firstInput) { firstInput.focus(); }
  });

  // After ลงรับ / ไม่รับ in place, the next letter's ลงรับ button gets the focus, so a clerk can
  // go through the queue with Enter alone.
  var lastItemId = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var item = event.target.closest && event.target.closest(".intake-item, .task");
    lastItemId = item ? item.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!lastItemId) { return; }
    var item = document.getElementById(lastItemId);
    lastItemId = null;
    if (!item) { return; }
    if (item.querySelector("[autofocus]")) { item.querySelector("[autofocus]").focus(); return; }
    if (!item.querySelector("[data-receipt]") && !item.classList.contains("is-finished")) { return; }
    var next = item.nextElementSibling;
    while (next) {
      var button = next.querySelector("[data-register], [data-ack]");
      if (button) { button.focus(); return; }
      next = next.nextElementSibling;
    }
    var receipt = item.querySelector("[data-receipt]");
    if (receipt) { receipt.focus(); }
  });

  // A refused or failed htmx action (403 in read-only, 500...) would otherwise change nothing on
  // the page: say why, with the heading and first paragraph of the error page, in a live region.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var heading = page.querySelector("main h1, h1");
    var detail = page.querySelector("main p, p");
    var english = document.documentElement.lang === "en";
    var text = heading ? heading.textContent.trim() : (english ? "The action failed" : "ทำรายการไม่สำเร็จ");
    if (detail && detail.textContent.trim()) { text += " - " + detail.textContent.trim(); }
    var region = document.getElementById("htmx-error");
    if (!region) {
      var list = document.createElement("ul");
      list.className = "messages";
      region = document.createElement("li");
      region.id = "htmx-error";
      region.className = "error";
      region.setAttribute("role", "alert");
      list.appendChild(region);
      var main = document.getElementById("main") || document.body;
      main.insertAdjacentElement("afterbegin", list);
    }
    region.textContent = text + " (" + xhr.status + ")";
    region.scrollIntoView({ block: "nearest" });
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-be-date]").forEach(function (input) {
      if (input.value) { previewDate(input); }
    });
    // The first letter of the queue is ready for Enter, unless a field already has the focus.
    var active = document.activeElement;
    if (!active || active === document.body) {
      var first = document.querySelector("[data-intake-list] [data-register]");
      if (first) { first.focus(); }
    }
  });
})();
