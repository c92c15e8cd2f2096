// The site offline (#36): pages once visited open with no network, and a page never visited says it is
// offline instead of the browser's error. Pages are asked of the network first, so an online visitor always
// gets the program as it is now; only when the network fails is the copy kept from the last visit shown.
// Stylesheets and scripts (versioned URLs) are served from the copy and refreshed behind it. Same origin
// only, GET only, relative to this worker's own scope: it works on any host name, behind any cache.
"use strict";
var VERSION = "v1";
var PAGES = "pages-" + VERSION, ASSETS = "assets-" + VERSION;
var SCOPE = new URL(self.registration.scope);
var OFFLINE = new URL("offline", SCOPE).pathname;
var KEPT = [/^\/$/, /^\/schedule(\/[0-9-]+)?$/, /^\/schedule\/mine(\/qr\.svg)?$/, /^\/[a-z0-9]+\/sessions\/[0-9]+$/,
            /^\/[a-z0-9]+\/now_next$/, /^\/[a-z0-9]+\/watch$/];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(PAGES).then(function (cache) { return cache.add(OFFLINE); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== PAGES && n !== ASSETS; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(url) {
  var path = url.pathname.slice(SCOPE.pathname.length - 1);
  return KEPT.some(function (re) { return re.test(path); });
}

function networkFirst(request) {
  var keep = kept(new URL(request.url));  // other pages are not kept: the cache stays the size of a program
  return fetch(request).then(function (response) {
    if (response.ok && keep) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) {
      if (hit) { return hit; }
      return request.mode === "navigate" ? caches.match(OFFLINE) : Response.error();
    });
  });
}

function fromCopy(request) {
  return caches.open(ASSETS).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
      return hit || fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== SCOPE.origin) { return; }
  if (url.pathname.indexOf(SCOPE.pathname + "static/") === 0 || url.pathname.indexOf(SCOPE.pathname + "-/static/") === 0) {
    event.respondWith(fromCopy(request));
  } else if (kept(url) || request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  }
});
