// Quotes hide in <details> to keep tables short; printing and the nav button open them all.
(function () {
  var all = function () { return document.querySelectorAll("details"); };
  var button = document.getElementById("toggle-quotes");
  var open = false;
  if (button) {
    button.addEventListener("click", function () {
      open = !open;
      all().forEach(function (d) { d.open = open; });
      button.textContent = open ? "Collapse quotes" : "Expand all quotes";
    });
  }
  var before = [];
  window.addEventListener("beforeprint", function () {
    before = Array.prototype.map.call(all(), function (d) { return d.open; });
    all().forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    all().forEach(function (d, i) { d.open = before[i] || false; });
  });
})();
