/* Wall behaviour that needs no server round trip: canvas scaling, clock, active nav link. */
(function () {
  "use strict";
  var W = 1920, H = 1080;

  function fitMode() {
    var m = new URLSearchParams(window.location.search).get("fit");
    return ["fit", "fill", "width", "height", "none"].indexOf(m) >= 0 ? m : "fit";
  }

  function scaleCanvas() {
    var canvas = document.querySelector(".canvas");
    if (!canvas) { return; }
    var vw = window.innerWidth, vh = window.innerHeight, mode = fitMode();
    var sx = vw / W, sy = vh / H, s;
    if (mode === "none") { sx = sy = 1; }
    else if (mode === "width") { sx = sy = vw / W; }
    else if (mode === "height") { sx = sy = vh / H; }
    else if (mode === "fit") { sx = sy = Math.min(sx, sy); }
    s = Math.min(sx, sy);
    var left = Math.max(0, (vw - W * sx) / 2), top = Math.max(0, (vh - H * sy) / 2);
    canvas.style.transform = "translate(" + left + "px," + top + "px) scale(" + sx + "," + sy + ")";
    document.documentElement.style.setProperty("--wall-scale", String(s));
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  var WEEK = ["日", "一", "二", "三", "四", "五", "六"];

  function tick() {
    var now = new Date();
    var t = document.querySelector(".clock-time");
    var d = document.querySelector(".clock-date");
    if (t) { t.textContent = pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds()); }
    if (d) { d.textContent = now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日 星期" + WEEK[now.getDay()]; }
    var links = document.querySelectorAll(".nav-link");
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      var path = window.location.pathname === "/" ? null : window.location.pathname;
      var active = path ? path === href : i === 0;
      links[i].classList.toggle("active", active);
    }
  }

  window.addEventListener("resize", scaleCanvas);
  // The canvas is rendered by Dash after load; re-fitting once a second also follows LED resizes.
  setInterval(function () { scaleCanvas(); tick(); }, 1000);
  setTimeout(scaleCanvas, 50);
  document.addEventListener("DOMContentLoaded", function () { scaleCanvas(); tick(); });
})();
