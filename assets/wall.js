/* Wall behaviour that needs no server round trip: canvas scaling, clock, active nav link. */
(function () {
  "use strict";
  var W = 1920, H = 1080;
  var scale = 1;
  // The canvas is scaled with CSS, which would stretch the maps' WebGL bitmaps on a 4K wall.
  // Report the effective pixel ratio so MapLibre draws at the wall's real resolution.
  var realDpr = window.devicePixelRatio || 1;
  try {
    Object.defineProperty(window, "devicePixelRatio", {
      configurable: true,
      get: function () { return realDpr * Math.max(1, scale); }
    });
  } catch (e) { /* keep the browser's own ratio */ }

  function fitMode() {
    var m = new URLSearchParams(window.location.search).get("fit");
    return ["fit", "fill", "width", "height", "none"].indexOf(m) >= 0 ? m : "fit";
  }

  function scaleCanvas() {
    var canvas = document.querySelector(".canvas");
    var vw = window.innerWidth, vh = window.innerHeight, mode = fitMode();
    var sx = vw / W, sy = vh / H, s;
    if (mode === "none") { sx = sy = 1; }
    else if (mode === "width") { sx = sy = vw / W; }
    else if (mode === "height") { sx = sy = vh / H; }
    else if (mode === "fit") { sx = sy = Math.min(sx, sy); }
    s = Math.min(sx, sy);
    scale = s;
    if (!canvas) { return; }
    var left = Math.max(0, (vw - W * sx) / 2), top = Math.max(0, (vh - H * sy) / 2);
    canvas.style.transform = "translate(" + left + "px," + top + "px) scale(" + sx + "," + sy + ")";
    document.documentElement.style.setProperty("--wall-scale", String(s));
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  var WEEK = ["日", "一", "二", "三", "四", "五", "六"];

  // The wall shows the city's time whatever zone the PC is set to (the data is Asia/Shanghai).
  var ZONE = "Asia/Shanghai";
  function cityNow() {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {
      timeZone: ZONE, hour12: false, year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric", weekday: "short"
    }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    var days = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
    return {
      y: +parts.year, mo: +parts.month, d: +parts.day, h: +parts.hour % 24, mi: +parts.minute,
      s: +parts.second, wd: days[parts.weekday]
    };
  }

  function tick() {
    var now = cityNow();
    var t = document.querySelector(".clock-time");
    var d = document.querySelector(".clock-date");
    if (t) { t.textContent = pad(now.h) + ":" + pad(now.mi) + ":" + pad(now.s); }
    if (d) { d.textContent = now.y + "年" + now.mo + "月" + now.d + "日 星期" + WEEK[now.wd]; }
    var links = document.querySelectorAll(".nav-link");
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      var path = window.location.pathname === "/" ? null : window.location.pathname;
      var active = path ? path === href : i === 0;
      links[i].classList.toggle("active", active);
    }
  }

  scaleCanvas();  // before Dash draws any map, so the first map already gets the right ratio
  window.addEventListener("resize", scaleCanvas);
  // The canvas is rendered by Dash after load; re-fitting once a second also follows LED resizes.
  setInterval(function () { scaleCanvas(); tick(); }, 1000);
  setTimeout(scaleCanvas, 50);
  document.addEventListener("DOMContentLoaded", function () { scaleCanvas(); tick(); });
})();
