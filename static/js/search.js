// Search as you type, in Pagefind's index of this site (its JavaScript API,
// loaded from the site's own /pagefind/ folder: nothing comes from another
// host). Without JavaScript the search form stays what the template made it:
// a Google search of this site.
//
// The header box shows the first results under itself; Enter opens the
// search page, which shows them all, with a tag filter and an order. In
// either box, "tag:python" filters by a tag, as the tag menu does.
(function () {
  "use strict";
  var HEADER_RESULTS = 5;
  var PAGE_RESULTS = 50;
  var TYPING_PAUSE = 150; // milliseconds without a key press before searching
  var TAG_TOKEN = /(^|\s)tag:(\S+)/gi;
  var HAS_TAG_TOKEN = /(^|\s)tag:\S/i;

  var forms = document.querySelectorAll("form[data-pagefind-bundle]");
  if (!forms.length) {
    return;
  }
  var bundle = forms[0].getAttribute("data-pagefind-bundle");
  var loading = null;
  var unavailable = false; // Pagefind's files could not be loaded
  var shardCount = 1; // bundles merged into the search, set once loaded

  // Pagefind's module, set up once: its files are in `bundle`, and the pages
  // it found are under the folder that holds it (the site's base path).
  function pagefind() {
    if (!loading) {
      loading = import(bundle + "pagefind.js")
        .then(function (module) {
          var site = bundle.replace(/pagefind\/$/, "");
          return module.options({ basePath: bundle, baseUrl: site }).then(function () {
            return mergeShards(module, site);
          });
        })
        .catch(function (error) {
          unavailable = true;
          Array.prototype.forEach.call(forms, giveBack);
          throw error;
        });
    }
    return loading;
  }

  // The index's other shards (docs/search.md), listed in shards.json beside
  // pagefind.js: merged into this one, so one search reads them all. With
  // no list (the live preview's one bundle), there is only this one.
  function mergeShards(module, site) {
    return fetch(bundle + "shards.json")
      .then(function (response) {
        return response.ok ? response.json() : { shards: [] };
      })
      .catch(function () {
        return { shards: [] };
      })
      .then(function (manifest) {
        var shards = manifest.shards || [];
        shardCount = shards.length + 1;
        return Promise.all(shards.map(function (folder) {
          return module.mergeIndex(bundle + folder, { baseUrl: site });
        })).then(function () {
          return module;
        });
      });
  }

  // Newest first. Pagefind sorts each shard's results by date, but ranks
  // merged results by a score that is a page's place within its own shard,
  // so across shards the order is wrong: each result's date (the "stamp"
  // meta of its post) puts them in order here. Every result's data is
  // needed for that, so it is done only when there is more than one shard.
  function newestFirst(found, limit) {
    if (shardCount <= 1) {
      return Promise.all(found.results.slice(0, limit).map(function (result) {
        return result.data();
      }));
    }
    return Promise.all(found.results.map(function (result) {
      return result.data();
    })).then(function (all) {
      return all.sort(function (a, b) {
        return stamp(b) - stamp(a);
      }).slice(0, limit);
    });
  }

  function stamp(data) {
    return Number((data.meta && data.meta.stamp) || 0);
  }

  // The tag names the index knows (the "tag" filter of every indexed post).
  function knownTags(module) {
    return module.filters().then(function (filters) {
      return Object.keys((filters && filters.tag) || {}).sort(function (a, b) {
        return a.localeCompare(b);
      });
    });
  }

  // "tag:Python rust" -> the words "rust" and the tag spelled as the index does.
  function parse(text, tags) {
    var tag = "";
    var words = text.replace(TAG_TOKEN, function (_match, space, name) {
      var lower = name.toLowerCase();
      tag = tags.find(function (known) { return known.toLowerCase() === lower; }) || name;
      return space;
    });
    return { words: words.trim(), tag: tag };
  }

  // The results for `text`, at most `limit`.
  function search(text, choices, limit) {
    return pagefind().then(function (module) {
      // The tag list is a file of its own (tens of kB on a large site):
      // fetched only when the reader names a tag.
      var named = HAS_TAG_TOKEN.test(text) ? knownTags(module) : Promise.resolve([]);
      return named.then(function (tags) {
        var query = parse(text, tags);
        var tag = choices.tag || query.tag;
        if (!query.words && !tag) {
          return [];
        }
        var options = { filters: tag ? { tag: tag } : {} };
        if (choices.sort === "newest") {
          options.sort = { date: "desc" };
        }
        return module.search(query.words || null, options).then(function (found) {
          if (options.sort) {
            return newestFirst(found, limit);
          }
          return Promise.all(found.results.slice(0, limit).map(function (result) {
            return result.data();
          }));
        });
      });
    });
  }

  // A box's searches: each waits for a pause in the typing, and only the
  // newest one asked shows its results. Searches end in any order (one that
  // names a tag first fetches the tag list): Pagefind's own debounced search
  // drops a search when another starts after it, and a search of the text
  // as it was could start after the search of the text as it is, so that
  // the newest results were dropped and nothing was shown.
  function newestOnly() {
    var asked = 0;
    var timer = null;
    function cancel() {
      asked += 1;
      clearTimeout(timer);
    }
    function ask(question, answer, failed) {
      cancel();
      var number = asked;
      timer = setTimeout(function () {
        question().then(function (results) {
          if (number === asked) {
            answer(results);
          }
        }, function () {
          if (number === asked) {
            failed();
          }
        });
      }, TYPING_PAUSE);
    }
    return { ask: ask, cancel: cancel };
  }

  // Pagefind's excerpt is text with <mark> around the words found: kept as
  // text nodes and <mark> elements, nothing else.
  function excerpt(html) {
    var paragraph = document.createElement("p");
    paragraph.className = "search-excerpt";
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html").body.firstChild;
    Array.prototype.forEach.call(parsed ? parsed.childNodes : [], function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        paragraph.appendChild(mark);
      } else {
        paragraph.appendChild(document.createTextNode(node.textContent));
      }
    });
    return paragraph;
  }

  function show(container, results, text) {
    container.textContent = "";
    if (!results.length) {
      var none = document.createElement("p");
      none.className = "search-none";
      none.textContent = "Nothing found for \u201c" + text + "\u201d.";
      container.appendChild(none);
      return;
    }
    var list = document.createElement("ol");
    list.className = "search-hits";
    results.forEach(function (data) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      item.appendChild(link);
      item.appendChild(excerpt(data.excerpt || ""));
      list.appendChild(item);
    });
    container.appendChild(list);
  }

  // The form leads to this site's search page, not to Google.
  function takeOver(form) {
    form.setAttribute("data-google", form.getAttribute("action"));
    form.action = form.getAttribute("data-search-page");
    setGoogleFields(form, false);
  }

  // Back to the Google search the template made, when Pagefind's files
  // cannot be loaded.
  function giveBack(form) {
    form.action = form.getAttribute("data-google");
    setGoogleFields(form, true);
  }

  function setGoogleFields(form, enabled) {
    Array.prototype.forEach.call(form.querySelectorAll("input[name=sitesearch]"), function (input) {
      input.disabled = !enabled;
    });
  }

  function headerBox(form) {
    var input = form.querySelector("input[type=search]");
    var panel = document.createElement("div");
    panel.className = "search-live";
    panel.setAttribute("aria-live", "polite");
    panel.hidden = true;
    form.appendChild(panel);
    var searches = newestOnly();
    input.addEventListener("input", function () {
      var text = input.value;
      if (!text.trim()) {
        searches.cancel();
        panel.hidden = true;
        return;
      }
      searches.ask(function () {
        return search(text, {}, HEADER_RESULTS);
      }, function (results) {
        show(panel, results, text);
        panel.hidden = false;
      }, function () {
        panel.hidden = true;
      });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        panel.hidden = true;
      }
    });
    form.addEventListener("focusout", function (event) {
      if (!form.contains(event.relatedTarget)) {
        panel.hidden = true;
      }
    });
  }

  function searchPage(form, container) {
    var input = form.querySelector("input[type=search]");
    var options = document.getElementById("search-options");
    var tagMenu = document.getElementById("search-tag");
    var sortMenu = document.getElementById("search-sort");
    var webLink = document.getElementById("search-web");
    var webSearch = webLink ? new URL(webLink.href) : null;
    var site = webSearch ? webSearch.searchParams.get("q") : "";
    var searches = newestOnly();

    function run() {
      var text = input.value;
      var address = new URL(window.location.href);
      address.searchParams.set("q", text);
      address.searchParams.set("tag", tagMenu.value);
      address.searchParams.set("sort", sortMenu.value);
      window.history.replaceState(null, "", address);
      if (webLink) {
        webSearch.searchParams.set("q", (text.replace(TAG_TOKEN, " ").trim() + " " + site).trim());
        webLink.href = webSearch.href;
      }
      var choices = { tag: tagMenu.value, sort: sortMenu.value };
      if (!text.trim() && !choices.tag) {
        searches.cancel();
        container.textContent = "";
        return;
      }
      searches.ask(function () {
        return search(text, choices, PAGE_RESULTS);
      }, function (results) {
        show(container, results, text || choices.tag);
      }, function () {
        container.textContent = "";
      });
    }

    var asked = new URL(window.location.href).searchParams;
    input.value = asked.get("q") || "";
    sortMenu.value = asked.get("sort") === "newest" ? "newest" : "";
    pagefind().then(knownTags).then(function (tags) {
      tags.forEach(function (tag) {
        var option = document.createElement("option");
        option.value = option.textContent = tag;
        tagMenu.appendChild(option);
      });
      tagMenu.value = tags.indexOf(asked.get("tag")) >= 0 ? asked.get("tag") : "";
      options.hidden = false;
      run();
    }, function () {
      container.textContent = "";
    });
    form.addEventListener("submit", function (event) {
      if (unavailable) {
        return; // to Google, as giveBack set the form
      }
      event.preventDefault();
      run();
    });
    input.addEventListener("input", run);
    tagMenu.addEventListener("change", run);
    sortMenu.addEventListener("change", run);
  }

  var pageResults = document.getElementById("search-results");
  Array.prototype.forEach.call(forms, function (form) {
    takeOver(form);
    if (pageResults && form.contains(document.getElementById("search-page-q"))) {
      searchPage(form, pageResults);
    } else {
      headerBox(form);
    }
  });
})();
