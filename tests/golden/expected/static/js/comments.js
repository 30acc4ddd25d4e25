// Loads the Disqus thread only when it scrolls into view, so readers who never
// reach the comments never contact Disqus. The settings come from a JSON block
// written with Django's json_script, so no value can break out of the page.
(function () {
  "use strict";
  var thread = document.getElementById("disqus_thread");
  var settingsElement = document.getElementById("disqus-settings");
  if (!thread || !settingsElement) {
    return;
  }
  var settings = JSON.parse(settingsElement.textContent);
  var loaded = false;

  function load() {
    if (loaded) {
      return;
    }
    loaded = true;
    window.disqus_config = function () {
      this.page.url = settings.url;
      this.page.identifier = settings.identifier;
      this.page.title = settings.title;
    };
    var script = document.createElement("script");
    script.src = "https://" + encodeURIComponent(settings.shortname) + ".disqus.com/embed.js";
    script.setAttribute("data-timestamp", String(Date.now()));
    script.async = true;
    document.body.appendChild(script);
  }

  if (!("IntersectionObserver" in window)) {
    load();
    return;
  }
  // Start a little before the thread is on screen so it is ready on arrival.
  var observer = new IntersectionObserver(function (entries) {
    if (entries.some(function (entry) { return entry.isIntersecting; })) {
      observer.disconnect();
      load();
    }
  }, { rootMargin: "200px 0px" });
  observer.observe(thread);
})();
