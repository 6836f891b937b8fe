/* global document, location, URLSearchParams */
// Example page only: adds the widget's one script tag with the key given in the address
// (embed.html?key=…&lang=en). A real page writes its CUSTOMER key into the tag itself.
(function () {
  var params = new URLSearchParams(location.search);
  var s = document.createElement('script');
  s.src = '/console/widget.js';
  s.async = true;
  s.dataset.apiKey = params.get('key') || '';
  s.dataset.language = params.get('lang') || 'en';
  document.body.appendChild(s);
})();
